package org.pretext.runner.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;

class PatternFileTest {
    private static String error(String yaml) {
        return assertThrows(PretextException.class, () -> PatternFile.parse(Path.of("p.yaml"), yaml)).getMessage();
    }

    @Test
    void theShippedFilesRead() {
        PatternFile s = PatternFile.read(Path.of("../examples/mining/sentiment-patterns.yaml"));
        assertEquals(java.util.List.of("0", "1"), s.labels());
        assertEquals(2, s.classes().get(0).patterns().size());
        assertEquals("bad", s.classes().get(0).verbalizers().get(0));
        PatternFile a = PatternFile.read(Path.of("../examples/mining/agnews-patterns.yaml"));
        assertEquals(java.util.List.of("1", "2", "3", "4"), a.labels());
    }

    @Test
    void anInvalidRegexNamesTheLineAndTheRegexError() {
        String m = error("""
                classes:
                  a:
                    patterns:
                      - 'good'
                      - 'very (good'
                  b:
                    patterns: ['bad']
                """);
        assertTrue(m.startsWith("p.yaml:5: the pattern 'very (good' of class 'a' is not a valid regular expression:"
                + " Unclosed group"), m);
    }

    @Test
    void anUnknownKeyNamesTheLineAndTheKnownKeys() {
        String m = error("""
                classes:
                  a:
                    patterns: ['good']
                    verbaliser: [good]
                  b:
                    patterns: ['bad']
                """);
        assertEquals("p.yaml:4: unknown key 'verbaliser' in class 'a': expected one of [label, patterns, verbalizers]", m);
        assertEquals("p.yaml:2: unknown key 'clases' at the top level: expected one of [classes, mask, unit]",
                error("mask: ''\nclases:\n  a: {patterns: [x]}\n"));
    }

    @Test
    void aClassWithoutPatternsNamesTheLine() {
        assertEquals("p.yaml:4: class 'b' has no patterns: expected 'patterns:' with at least one regular expression",
                error("classes:\n  a:\n    patterns: ['x']\n  b:\n    label: '1'\n"));
        assertEquals("p.yaml:4: class 'b' has no patterns: expected 'patterns:' with at least one regular expression",
                error("classes:\n  a:\n    patterns: ['x']\n  b:\n    patterns:\n"));
    }

    @Test
    void otherMistakesNameTheLine() {
        assertEquals("p.yaml:1: the pattern file has no 'classes:' mapping of class names to their patterns",
                error("mask: x\n"));
        assertEquals("p.yaml:2: 'classes' has 1 class: expected at least 2", error("classes:\n  a: {patterns: [x]}\n"));
        assertEquals("p.yaml:3: the patterns of class 'a' is 'x': expected a list (- item lines or [a, b])",
                error("classes:\n  a:\n    patterns: x\n  b: {patterns: [y]}\n"));
        assertEquals("p.yaml:1: 'unit' is 'word': expected 'example' (the whole corpus row) or 'sentence' (the sentence"
                + " holding the match)", error("unit: word\nclasses:\n  a: {patterns: [x]}\n  b: {patterns: [y]}\n"));
        assertEquals("p.yaml:3: class 'b' has the label '0' of another class: expected a label per class",
                error("classes:\n  a: {label: '0', patterns: [x]}\n  b: {label: '0', patterns: [y]}\n"));
        assertTrue(error("classes: [a\n").startsWith("The pattern file p.yaml is not valid YAML"));
        assertEquals("The pattern file nowhere.yaml does not exist", assertThrows(PretextException.class,
                () -> PatternFile.read(Path.of("nowhere.yaml"))).getMessage());
    }
}
