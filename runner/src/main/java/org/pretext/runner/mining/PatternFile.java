package org.pretext.runner.mining;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pretext.PretextException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The patterns of a mining run, read from YAML: per class, regular expressions containing the
 * class's verbalizers (van de Kar et al. 2022, "Don't Prompt, Search!"). Every error names the
 * file, the line and the problem.
 *
 * <pre>
 * mask: ""                 # what replaces the matched span ("" removes it)
 * unit: example            # example: the whole corpus row; sentence: the sentence holding the match
 * classes:
 *   negative:
 *     label: "0"           # the label written for this class (default: its name)
 *     verbalizers: [bad]   # words for the prompting baseline (optional)
 *     patterns:
 *       - '\b(?:is|was) (?:very |so )?(?:bad|awful)\b'
 * </pre>
 *
 * Patterns are Java regular expressions, matched case-insensitively ({@code (?-i)} turns that
 * off), anywhere in the text ({@link java.util.regex.Matcher#find()}).
 *
 * @param file where the patterns came from
 * @param mask the text that replaces each matched span
 * @param sentences whether an example is the sentence around the match rather than the whole row
 * @param classes the classes in file order
 */
public record PatternFile(Path file, String mask, boolean sentences, List<MiningClass> classes) {
    private static final Set<String> TOP_KEYS = Set.of("mask", "unit", "classes");
    private static final Set<String> CLASS_KEYS = Set.of("label", "verbalizers", "patterns");

    /**
     * One class: its name, the label written for it, its patterns and verbalizers.
     *
     * @param name the class's key in the file
     * @param label the label written in the mined dataset and compared with gold labels
     * @param patterns compiled patterns
     * @param verbalizers words naming the class, for prompting (may be empty)
     */
    public record MiningClass(String name, String label, List<Pattern> patterns, List<String> verbalizers) {}

    /** Reads and validates a pattern file. */
    public static PatternFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PretextException("The pattern file " + file + " does not exist");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot read the pattern file " + file, e);
        }
        return parse(file, text);
    }

    /** Parses pattern-file text; {@code file} names it in errors. */
    public static PatternFile parse(Path file, String text) {
        Node root;
        try (Reader r = new java.io.StringReader(text)) {
            LoaderOptions lo = new LoaderOptions();
            lo.setAllowDuplicateKeys(false);
            root = new Yaml(new SafeConstructor(lo)).compose(r);
        } catch (YAMLException e) {
            throw new PretextException("The pattern file " + file + " is not valid YAML: "
                    + e.getMessage().replaceAll("\\s*\\R\\s*", " "), e);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        if (root == null) {
            throw new PretextException(file + ": the pattern file is empty: expected a 'classes:' mapping of class"
                    + " names to their patterns");
        }
        MappingNode top = mapping(file, root, "the pattern file");
        String mask = "";
        boolean sentences = false;
        MappingNode classesNode = null;
        for (NodeTuple t : top.getValue()) {
            String key = key(file, t);
            Node v = t.getValueNode();
            switch (checkKey(file, t, key, TOP_KEYS, "at the top level")) {
                case "mask" -> mask = scalar(file, v, "'mask'");
                case "unit" -> {
                    String u = scalar(file, v, "'unit'");
                    if (!u.equals("example") && !u.equals("sentence")) {
                        throw new PretextException(at(file, v) + ": 'unit' is '" + u + "': expected 'example' (the"
                                + " whole corpus row) or 'sentence' (the sentence holding the match)");
                    }
                    sentences = u.equals("sentence");
                }
                default -> classesNode = mapping(file, v, "'classes'");
            }
        }
        if (classesNode == null) {
            throw new PretextException(at(file, top) + ": the pattern file has no 'classes:' mapping of class names to"
                    + " their patterns");
        }
        List<MiningClass> classes = new ArrayList<>();
        Set<String> labels = new LinkedHashSet<>();
        for (NodeTuple c : classesNode.getValue()) {
            String name = key(file, c);
            MappingNode body = mapping(file, c.getValueNode(), "class '" + name + "'");
            String label = name;
            List<Pattern> patterns = new ArrayList<>();
            List<String> verbalizers = new ArrayList<>();
            for (NodeTuple t : body.getValue()) {
                String key = key(file, t);
                Node v = t.getValueNode();
                switch (checkKey(file, t, key, CLASS_KEYS, "in class '" + name + "'")) {
                    case "label" -> label = scalar(file, v, "the label of class '" + name + "'");
                    case "verbalizers" -> {
                        for (Node n : sequence(file, v, "the verbalizers of class '" + name + "'").getValue()) {
                            verbalizers.add(scalar(file, n, "a verbalizer of class '" + name + "'"));
                        }
                    }
                    default -> {
                        if (v instanceof ScalarNode s && s.getValue().isEmpty()) {
                            break; // 'patterns:' with nothing after it: no patterns, reported below
                        }
                        for (Node n : sequence(file, v, "the patterns of class '" + name + "'").getValue()) {
                            String regex = scalar(file, n, "a pattern of class '" + name + "'");
                            try {
                                patterns.add(Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
                            } catch (PatternSyntaxException e) {
                                throw new PretextException(at(file, n) + ": the pattern '" + regex + "' of class '"
                                        + name + "' is not a valid regular expression: " + e.getDescription()
                                        + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
                            }
                            if (regex.isEmpty()) {
                                throw new PretextException(at(file, n) + ": class '" + name + "' has an empty pattern,"
                                        + " which matches every text: expected a regular expression");
                            }
                        }
                    }
                }
            }
            if (patterns.isEmpty()) {
                throw new PretextException(at(file, c.getKeyNode()) + ": class '" + name + "' has no patterns: expected"
                        + " 'patterns:' with at least one regular expression");
            }
            if (!labels.add(label)) {
                throw new PretextException(at(file, c.getKeyNode()) + ": class '" + name + "' has the label '" + label
                        + "' of another class: expected a label per class");
            }
            classes.add(new MiningClass(name, label, List.copyOf(patterns), List.copyOf(verbalizers)));
        }
        if (classes.size() < 2) {
            throw new PretextException(at(file, classesNode) + ": 'classes' has " + classes.size() + " class"
                    + (classes.size() == 1 ? "" : "es") + ": expected at least 2");
        }
        return new PatternFile(file, mask, sentences, List.copyOf(classes));
    }

    /** The labels of the classes, in file order. */
    public List<String> labels() {
        return classes.stream().map(MiningClass::label).toList();
    }

    private static String at(Path file, Node n) {
        return file + ":" + (n.getStartMark().getLine() + 1);
    }

    private static String checkKey(Path file, NodeTuple t, String key, Set<String> known, String where) {
        if (!known.contains(key)) {
            throw new PretextException(at(file, t.getKeyNode()) + ": unknown key '" + key + "' " + where
                    + ": expected one of " + new java.util.TreeSet<>(known));
        }
        return key;
    }

    private static String key(Path file, NodeTuple t) {
        return scalar(file, t.getKeyNode(), "a key");
    }

    private static MappingNode mapping(Path file, Node n, String what) {
        if (n instanceof MappingNode m) {
            return m;
        }
        throw new PretextException(at(file, n) + ": " + what + " is " + describe(n) + ": expected a mapping (key: value"
                + " lines)");
    }

    private static SequenceNode sequence(Path file, Node n, String what) {
        if (n instanceof SequenceNode s) {
            return s;
        }
        throw new PretextException(at(file, n) + ": " + what + " is " + describe(n) + ": expected a list (- item lines"
                + " or [a, b])");
    }

    private static String scalar(Path file, Node n, String what) {
        if (n instanceof ScalarNode s) {
            return s.getValue();
        }
        throw new PretextException(at(file, n) + ": " + what + " is " + describe(n) + ": expected a single value"
                + " (quote regular expressions in single quotes)");
    }

    private static String describe(Node n) {
        return n instanceof MappingNode ? "a mapping" : n instanceof SequenceNode ? "a list"
                : "'" + ((ScalarNode) n).getValue() + "'";
    }
}
