package org.pretext.checkpoint;

import org.pretext.blocks.ParameterIO;
import org.pretext.CheckpointException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.pretext.model.PretextModel;
import org.pretext.checkpoint.TokenizerEntry;
import org.pretext.training.optimizer.AdamW;

/**
 * The checkpoints of one run in a folder, {@code step-00001000.ckpt} and so on: model parameters
 * (encoder and heads), optimizer moments, the objective's own state, the step and the provenance
 * (and, for encoders of text, the tokenizer: {@link TokenizerEntry}),
 * each file written atomically. The newest {@link #keep} are kept. On resume the newest file
 * that verifies is used; damaged ones are skipped and reported.
 */
public final class CheckpointStore {
    /** Format version of the checkpoint entries. */
    public static final int FORMAT = 1;
    private static final Pattern NAME = Pattern.compile("step-(\\d{8,})\\.ckpt");
    private final Path dir;
    private final int keep;
    private final List<String> skipped = new ArrayList<>();

    public CheckpointStore(Path dir, int keep) {
        this.dir = dir;
        this.keep = Math.max(2, keep);
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** Checkpoint files by step, oldest first. */
    public List<Path> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(CheckpointStore::stepOf)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
    }

    /** The step a checkpoint file name records. */
    public static long stepOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Writes a checkpoint of the model, optimizer and objective at {@code step}, then deletes the
     * oldest beyond {@link #keep}.
     */
    public Path save(PretextModel model, AdamW optimizer, long step, Provenance provenance) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("kind", "checkpoint");
        meta.put("step", step);
        meta.put("provenance", provenance);
        entries.put(CheckpointFile.META, CheckpointFile.json(meta));
        entries.put("parameters.bin", ParameterIO.write(model.parameters()));
        ByteArrayOutputStream opt = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(opt)) {
            optimizer.write(out);
        }
        entries.put("optimizer.bin", opt.toByteArray());
        ByteArrayOutputStream obj = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(obj)) {
            model.objective().saveState(out);
        }
        entries.put("objective.bin", obj.toByteArray());
        TokenizerEntry.put(model, entries);
        Path file = dir.resolve(String.format("step-%08d.ckpt", step));
        deleteStaleTemporaries();
        CheckpointFile.write(file, entries);
        List<Path> all = files();
        for (int i = 0; i < all.size() - keep; i++) {
            Files.deleteIfExists(all.get(i));
        }
        return file;
    }

    /**
     * Restores the newest checkpoint that verifies and matches the model, or nothing when there
     * is none. A damaged newer file is skipped (see {@link #skipped()}) in favour of an older one.
     *
     * @return the step of the checkpoint restored
     * @throws CheckpointException when a verified checkpoint belongs to another objective or encoder
     */
    public Optional<Long> restoreLatest(PretextModel model, AdamW optimizer, Provenance expected) {
        return restore(model, optimizer, expected);
    }

    /**
     * Restores only the model (parameters and objective state) from the newest checkpoint that
     * verifies, e.g. for evaluation or export.
     */
    public Optional<Long> restoreModel(PretextModel model, Provenance expected) {
        return restore(model, null, expected);
    }

    private Optional<Long> restore(PretextModel model, AdamW optimizer, Provenance expected) {
        List<Path> all = new ArrayList<>(files());
        for (int i = all.size() - 1; i >= 0; i--) {
            Path f = all.get(i);
            Map<String, byte[]> entries;
            try {
                entries = CheckpointFile.read(f);
            } catch (CheckpointException e) {
                skipped.add(e.getMessage());
                continue;
            }
            Map<String, Object> meta = CheckpointFile.meta(f, entries);
            checkCompatible(f, meta, expected);
            TokenizerEntry.check(f, entries, model);
            restore(f, entries, model, optimizer);
            return Optional.of(((Number) meta.get("step")).longValue());
        }
        return Optional.empty();
    }

    /** Removes temporary files left by a write that a crash interrupted (never a complete checkpoint). */
    private void deleteStaleTemporaries() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".ckpt.tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Messages about damaged checkpoints passed over by {@link #restoreLatest}. */
    public List<String> skipped() {
        return skipped;
    }

    private static void restore(Path f, Map<String, byte[]> entries, PretextModel model, AdamW optimizer) {
        try {
            ParameterIO.read(CheckpointFile.open(entries, "parameters.bin"), model.parameters(), f.toString());
            if (optimizer != null) {
                optimizer.read(new DataInputStream(CheckpointFile.open(entries, "optimizer.bin")));
            }
            model.objective().loadState(new DataInputStream(CheckpointFile.open(entries, "objective.bin")),
                    model.manager());
        } catch (IOException e) {
            throw new CheckpointException("Checkpoint " + f + " could not be restored: " + e.getMessage(), e);
        }
    }

    /** Refuses a checkpoint of another objective or encoder, naming both. */
    static void checkCompatible(Path f, Map<String, Object> meta, Provenance expected) {
        Object format = meta.get("format");
        if (!(format instanceof Number n) || n.intValue() != FORMAT) {
            throw new CheckpointException("Checkpoint " + f + " has format " + format + "; this Pretext reads format "
                    + FORMAT);
        }
        if (!(meta.get("step") instanceof Number)) {
            throw new CheckpointException("Checkpoint " + f + " records no step");
        }
        if (expected == null) {
            return;
        }
        if (!(meta.get("provenance") instanceof Map<?, ?> p)) {
            throw new CheckpointException("Checkpoint " + f + " records no provenance");
        }
        String objective = String.valueOf(p.get("objective"));
        String encoder = String.valueOf(p.get("encoder"));
        if (!objective.equals(expected.objective()) || !encoder.equals(expected.encoder())) {
            throw new CheckpointException("Checkpoint " + f + " was written by objective '" + objective
                    + "' with encoder '" + encoder + "', but this run uses objective '" + expected.objective()
                    + "' with encoder '" + expected.encoder() + "'");
        }
    }
}
