package org.pretext.checkpoint;

import org.pretext.DamagedCheckpointException;
import org.pretext.blocks.ParameterIO;
import org.pretext.CheckpointException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
import org.pretext.training.optimizer.Optimizer;

/**
 * The checkpoints of one run in a folder, {@code step-00001000.ckpt} and so on: model parameters
 * (encoder and heads), optimizer moments, the objective's own state, the losses of the last steps
 * (so that a resumed run reports the same final loss as an uninterrupted one), the step and the
 * provenance (and, for encoders of text, the tokenizer: {@link TokenizerEntry}), each file written
 * atomically with the size of every entry and the shape of every parameter declared in its
 * {@code meta.json}. The newest {@link #keep} are kept. On resume the newest file that verifies is
 * used; damaged ones are skipped and reported ({@link #skipped()}), and a resumed run moves them
 * aside into {@code damaged/} ({@link #setAsideDamaged()}) so that they are never counted as
 * checkpoints again.
 */
public final class CheckpointStore {
    /** Format version of the checkpoint entries. */
    public static final int FORMAT = 1;
    /** The sub-folder damaged checkpoints are moved into. */
    public static final String DAMAGED = "damaged";
    static final String OPTIMIZER = "optimizer.bin";
    static final String OBJECTIVE = "objective.bin";
    static final String LOSSES = "losses.bin";
    private static final Pattern NAME = Pattern.compile("step-(\\d{8,})\\.ckpt");
    private final Path dir;
    private final int keep;
    private final List<Skipped> skipped = new ArrayList<>();
    private float[] restoredLosses;

    /**
     * A checkpoint passed over because it is damaged.
     *
     * @param file the checkpoint
     * @param reason what is wrong with it, naming the file
     */
    public record Skipped(Path file, String reason) {}

    public CheckpointStore(Path dir, int keep) {
        this.dir = dir;
        this.keep = Math.max(2, keep);
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** Checkpoint files by step, oldest first (those moved into {@code damaged/} are not among them). */
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

    /** Writes a checkpoint without a loss history; see {@link #save(PretextModel, Optimizer, long, Provenance, float[])}. */
    public Path save(PretextModel model, Optimizer optimizer, long step, Provenance provenance) throws IOException {
        return save(model, optimizer, step, provenance, new float[0]);
    }

    /**
     * Writes a checkpoint of the model, optimizer and objective at {@code step}, then deletes the
     * oldest beyond {@link #keep} (never the one just written).
     *
     * @param recentLosses the losses of the last steps, oldest first, restored with the checkpoint
     */
    public Path save(PretextModel model, Optimizer optimizer, long step, Provenance provenance, float[] recentLosses)
            throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("kind", "checkpoint");
        meta.put("step", step);
        meta.put("provenance", provenance);
        meta.put(CheckpointFile.PARAMETERS, ParameterIO.describe(model.parameters()));
        TokenizerEntry.declare(model, meta);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(CheckpointFile.PARAMETERS_ENTRY, ParameterIO.write(model.parameters()));
        ByteArrayOutputStream opt = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(opt)) {
            optimizer.write(out);
        }
        entries.put(OPTIMIZER, opt.toByteArray());
        ByteArrayOutputStream obj = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(obj)) {
            model.objective().saveState(out);
        }
        entries.put(OBJECTIVE, obj.toByteArray());
        entries.put(LOSSES, writeLosses(recentLosses));
        TokenizerEntry.put(model, entries);
        Path file = dir.resolve(String.format("step-%08d.ckpt", step));
        deleteStaleTemporaries();
        CheckpointFile.write(file, meta, entries);
        List<Path> others = files().stream().filter(p -> !p.getFileName().equals(file.getFileName())).toList();
        for (int i = 0; i < others.size() + 1 - keep; i++) {
            Files.deleteIfExists(others.get(i));
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
    public Optional<Long> restoreLatest(PretextModel model, Optimizer optimizer, Provenance expected) {
        return restore(model, optimizer, expected);
    }

    /**
     * Restores only the model (parameters and objective state) from the newest checkpoint that
     * verifies, e.g. for evaluation or export.
     */
    public Optional<Long> restoreModel(PretextModel model, Provenance expected) {
        return restore(model, null, expected);
    }

    private Optional<Long> restore(PretextModel model, Optimizer optimizer, Provenance expected) {
        skipped.clear();
        restoredLosses = null;
        CheckpointFile.Limits limits = limits(model, optimizer);
        List<Path> all = new ArrayList<>(files());
        for (int i = all.size() - 1; i >= 0; i--) {
            Path f = all.get(i);
            try {
                CheckpointFile.Contents c = CheckpointFile.verify(f, limits, meta -> {
                    checkCompatible(f, meta, expected);
                    if (meta.get(CheckpointFile.PARAMETERS) != null) { // a file that declares (this Pretext's)
                        TokenizerEntry.checkDeclared(f, meta, model);
                        ParameterDeclarations.checkDeclared(f, meta.get(CheckpointFile.PARAMETERS), model.parameters());
                    }
                });
                TokenizerEntry.check(f, c.has(TokenizerEntry.NAME)
                        ? Map.of(TokenizerEntry.NAME, c.bytes(TokenizerEntry.NAME)) : Map.of(), model);
                float[][] losses = new float[1][];
                Map<String, CheckpointFile.EntryReader> readers = new LinkedHashMap<>();
                readers.put(CheckpointFile.PARAMETERS_ENTRY, in -> ParameterIO.read(in, model.parameters(),
                        f.toString()));
                if (optimizer != null) {
                    readers.put(OPTIMIZER, in -> optimizer.read(new DataInputStream(in)));
                }
                readers.put(OBJECTIVE, in -> {
                    try {
                        model.objective().loadState(new DataInputStream(in), model.manager());
                    } catch (EOFException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new CheckpointException("Checkpoint " + f + ": the objective's state could not be"
                                + " restored: " + e.getMessage(), e);
                    }
                });
                if (c.has(LOSSES)) {
                    readers.put(LOSSES, in -> losses[0] = readLosses(new DataInputStream(in)));
                }
                c.read(readers);
                restoredLosses = losses[0];
                return Optional.of(((Number) c.meta().get("step")).longValue());
            } catch (DamagedCheckpointException e) {
                skipped.add(new Skipped(f, e.getMessage()));
            }
        }
        return Optional.empty();
    }

    /**
     * What a checkpoint of this model may hold: parameters of exactly the model's sizes, optimizer
     * state of exactly the size of {@code optimizer}'s (any size up to AdamW's when it is null), and for the objective's state and the rest four times the parameters' size
     * or 1 GiB, whichever is more ({@value CheckpointFile#MAX_BYTES_PROPERTY} sets it instead).
     */
    static CheckpointFile.Limits limits(PretextModel model, Optimizer optimizer) {
        long params = ParameterIO.byteSize(model.parameters());
        long opt = optimizer != null ? optimizer.stateBytes() : AdamW.stateBytes(model.trainableParameters());
        long rest = System.getProperty(CheckpointFile.MAX_BYTES_PROPERTY) != null
                ? CheckpointFile.Limits.defaultMaxTotal() : Math.max(1L << 30, 4 * params);
        Map<String, Long> expected = optimizer != null ? Map.of(CheckpointFile.PARAMETERS_ENTRY, params, OPTIMIZER, opt)
                : Map.of(CheckpointFile.PARAMETERS_ENTRY, params);
        return new CheckpointFile.Limits(expected,
                "this model", params + opt + rest);
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

    /** Messages about damaged checkpoints passed over by the last restore, newest first. */
    public List<String> skipped() {
        return skipped.stream().map(Skipped::reason).toList();
    }

    /** The damaged checkpoints passed over by the last restore, newest first. */
    public List<Skipped> skippedFiles() {
        return Collections.unmodifiableList(skipped);
    }

    /**
     * The losses of the last steps before the checkpoint the last restore used, oldest first; null
     * when it holds none (a checkpoint of an older Pretext).
     */
    public float[] restoredLosses() {
        return restoredLosses == null ? null : restoredLosses.clone();
    }

    /**
     * Moves the damaged checkpoints the last restore passed over into {@code damaged/}, so that they
     * are neither restored nor counted among the checkpoints kept.
     *
     * @return where each went
     */
    public List<Path> setAsideDamaged() throws IOException {
        List<Path> moved = new ArrayList<>();
        for (Skipped s : skipped) {
            if (!Files.exists(s.file())) {
                continue;
            }
            Path aside = dir.resolve(DAMAGED);
            Files.createDirectories(aside);
            Path target = aside.resolve(s.file().getFileName());
            for (int n = 1; Files.exists(target); n++) {
                target = aside.resolve(s.file().getFileName() + "." + n);
            }
            Files.move(s.file(), target);
            moved.add(target);
        }
        return moved;
    }

    private static byte[] writeLosses(float[] losses) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.writeInt(1);
            out.writeInt(losses.length);
            for (float f : losses) {
                out.writeFloat(f);
            }
        }
        return b.toByteArray();
    }

    private static float[] readLosses(DataInputStream in) throws IOException {
        int version = in.readInt();
        int n = in.readInt();
        if (version != 1 || n < 0 || n > (1 << 20)) {
            throw new IOException("the loss history has format " + version + " and " + n + " values; expected format 1");
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
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
