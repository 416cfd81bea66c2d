package org.pretext.checkpoint;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.pretext.CheckpointException;
import org.pretext.DamagedCheckpointException;
import org.pretext.blocks.ParameterIO;

/**
 * What a file's {@code meta.json} declares of its parameters (names, shapes, type, as
 * {@link ParameterIO#describe} writes them): checked against the model and turned into the
 * parameter entry's exact size before a byte of it is inflated.
 */
public final class ParameterDeclarations {
    private ParameterDeclarations() {}

    /**
     * The exact size of the parameter entry that {@code declared} (a {@code meta.json}'s
     * {@value CheckpointFile#PARAMETERS} list) describes.
     *
     * @throws DamagedCheckpointException when the declaration is malformed
     */
    public static long declaredBytes(Path file, Object declared) {
        long n = 8;
        for (Declared d : parse(file, declared)) {
            n += ParameterIO.entryBytes(d.name, d.dims);
        }
        return n;
    }

    /**
     * Refuses, before anything is read, a declaration that does not match the model's parameters,
     * naming the first difference.
     *
     * @throws CheckpointException when names, count or shapes differ (a file of another model)
     */
    public static void checkDeclared(Path file, Object declared, Map<String, Parameter> params) {
        List<Declared> ds = parse(file, declared);
        if (ds.size() != params.size()) {
            throw new CheckpointException(file + " holds " + ds.size() + " parameters but the model has "
                    + params.size() + ": it was saved from another encoder or objective");
        }
        int i = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Declared d = ds.get(i++);
            Shape mine = e.getValue().getArray().getShape();
            if (!d.name.equals(e.getKey())) {
                throw new CheckpointException(file + " holds parameter '" + d.name + "' where the model has '"
                        + e.getKey() + "': it was saved from another encoder or objective");
            }
            if (!Arrays.equals(d.dims, mine.getShape())) {
                throw new CheckpointException(file + ": parameter '" + d.name + "' has shape " + new Shape(d.dims)
                        + " but the model's is " + mine);
            }
        }
    }

    private record Declared(String name, long[] dims) {}

    private static List<Declared> parse(Path file, Object declared) {
        if (!(declared instanceof List<?> list)) {
            throw bad(file, "is not a list");
        }
        List<Declared> out = new ArrayList<>();
        long total = 0;
        for (Object o : list) {
            if (out.size() == 1 << 20) {
                throw bad(file, "declares more than 2^20 parameters");
            }
            if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)
                    || !(m.get("shape") instanceof List<?> shape) || shape.size() > ParameterIO.MAX_RANK) {
                throw bad(file, "has an entry that is not {name, shape (rank at most " + ParameterIO.MAX_RANK + "), type}: " + o);
            }
            if (!ParameterIO.TYPE.equals(m.get("type"))) {
                throw bad(file, "gives parameter '" + name + "' type " + m.get("type") + "; only " + ParameterIO.TYPE
                        + " is written");
            }
            if (ParameterIO.utfBytes(name) > 65535) {
                throw bad(file, "has a parameter name longer than 65535 bytes");
            }
            long[] dims = new long[shape.size()];
            long size = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = CheckpointFile.wholeNumber(shape.get(i));
                if (dims[i] < 0) {
                    throw bad(file, "gives parameter '" + name + "' an invalid shape " + shape);
                }
                size = dims[i] == 0 ? 0 : size > Long.MAX_VALUE / 8 / dims[i] ? Long.MAX_VALUE / 8 : size * dims[i];
            }
            total += size;
            if (total > Long.MAX_VALUE / 16) {
                throw bad(file, "declares more parameter values than any file can hold");
            }
            out.add(new Declared(name, dims));
        }
        return out;
    }

    private static DamagedCheckpointException bad(Path file, String what) {
        return new DamagedCheckpointException("Checkpoint " + file + " is damaged: the " + CheckpointFile.PARAMETERS
                + " list of its " + CheckpointFile.META + " " + what);
    }

}
