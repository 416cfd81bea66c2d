package org.pretext.encoders.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pretext.PretextException;
import org.pretext.encoder.Encoder;
import org.pretext.encoders.CnnEncoderProvider;
import org.pretext.encoders.MlpEncoderProvider;
import org.pretext.encoders.transformer.TransformerEncoder;
import org.pretext.encoders.vit.VitEncoder;
import org.pretext.encoders.vit.VitEncoderProvider;
import org.pretext.engine.HostArrays;
import org.pretext.param.ParamValues;

/**
 * The PyTorch state dict of a built-in encoder: every DJL parameter's name in the module that
 * {@code python/pretext_encoders.py} builds, its layout there, and the architecture's description
 * for that module ({@code config.json}'s {@code model}). Both ways: {@link #toTorch} for export,
 * {@link #load} for import, which refuses a state dict whose names or shapes do not fit, naming the
 * first mismatch.
 *
 * <table>
 * <caption>Names and layouts</caption>
 * <tr><th>encoder</th><th>PyTorch names</th><th>layouts</th></tr>
 * <tr><td>{@code mlp}</td><td>{@code layers.i.weight/bias} (nn.Linear), {@code layers.i.weight/bias/running_mean/running_var}
 *     (nn.BatchNorm1d); i counts the layers after the flatten</td><td>as DJL's: Linear (out, in)</td></tr>
 * <tr><td>{@code cnn-small}</td><td>{@code layers.i.*}: nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d, at DJL's
 *     positions</td><td>as DJL's: conv (out, in, kh, kw)</td></tr>
 * <tr><td>{@code vit-tiny}</td><td>timm's: {@code patch_embed.proj}, {@code cls_token}, {@code pos_embed},
 *     {@code blocks.k.norm1/attn.qkv/attn.proj/norm2/mlp.fc1/mlp.fc2}, {@code norm}</td><td>the patch embedding as a
 *     p×p convolution (D, C, p, p), from DJL's (D, p·p·C) over (row, column, channel) patch values;
 *     {@code pos_embed} (1, N, D)</td></tr>
 * <tr><td>{@code transformer}</td><td>nanoGPT's: {@code transformer.wte}, {@code transformer.wpe},
 *     {@code transformer.h.k.ln_1/attn.c_attn/attn.c_proj/ln_2/mlp.c_fc/mlp.c_proj}, {@code transformer.ln_f}</td>
 *     <td>as DJL's; the fused QKV (3D, D) stacks q, k, v, heads contiguous in each</td></tr>
 * </table>
 */
public final class TorchStateDict {
    private final String encoderName;
    private final List<Entry> entries;
    private final Map<String, Object> model;

    /**
     * One parameter.
     *
     * @param djlName the DJL parameter name (as {@code block.getParameters()} gives it)
     * @param torchName the state-dict key
     * @param djlShape the DJL shape
     * @param view the DJL array reshaped to this before {@code permute} (null: as it is)
     * @param permute the axes permutation applied after {@code view} (null: none)
     */
    public record Entry(String djlName, String torchName, Shape djlShape, long[] view, int[] permute) {
        /** The tensor's shape in the PyTorch state dict. */
        public Shape torchShape() {
            if (view == null) {
                return djlShape;
            }
            if (permute == null) {
                return new Shape(view);
            }
            long[] s = new long[permute.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = view[permute[i]];
            }
            return new Shape(s);
        }

        NDArray toTorch(NDArray djl) {
            NDArray a = view == null ? djl : djl.reshape(view);
            return permute == null ? a : a.transpose(permute);
        }

        NDArray toDjl(NDArray torch) {
            NDArray a = torch;
            if (permute != null) {
                int[] inverse = new int[permute.length];
                for (int i = 0; i < permute.length; i++) {
                    inverse[permute[i]] = i;
                }
                a = a.transpose(inverse);
            }
            return view == null ? a : a.reshape(djlShape);
        }
    }

    private TorchStateDict(String encoderName, List<Entry> entries, Map<String, Object> model) {
        this.encoderName = encoderName;
        this.entries = List.copyOf(entries);
        this.model = model;
    }

    /** The encoder names this class maps. */
    public static final List<String> ENCODERS = List.of("mlp", "cnn-small", "vit-tiny", "transformer");

    /**
     * The state dict of an initialised built-in encoder.
     *
     * @param encoderName the encoder provider's name ({@code mlp}, {@code cnn-small}, {@code vit-tiny},
     *     {@code transformer})
     * @param params the provider's resolved parameters (as the run's provenance records them)
     * @throws PretextException for an encoder this class does not know (named, with the ones it knows)
     */
    public static TorchStateDict of(String encoderName, Encoder encoder, ParamValues params) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("architecture", encoderName);
        model.put("input_shape", encoder.inputShape().getShape());
        model.put("feature_size", encoder.featureSize());
        UnaryOperator<String> rename;
        Map<String, Entry> special = new LinkedHashMap<>();
        switch (encoderName) {
            case "mlp" -> {
                List<Integer> hidden = new ArrayList<>();
                for (String s : params.get(MlpEncoderProvider.HIDDEN).split(",")) {
                    if (!s.isBlank()) {
                        hidden.add(Integer.parseInt(s.trim()));
                    }
                }
                model.put("hidden", hidden);
                model.put("features", params.get(MlpEncoderProvider.FEATURES));
                model.put("batch_norm", params.get(MlpEncoderProvider.BATCH_NORM));
                rename = sequential(-2);
            }
            case "cnn-small" -> {
                model.put("width", params.get(CnnEncoderProvider.WIDTH));
                rename = sequential(-1);
            }
            case "vit-tiny" -> {
                if (!(encoder instanceof VitEncoder v)) {
                    throw notBuiltIn(encoderName, encoder);
                }
                int patch = params.get(VitEncoderProvider.PATCH_SIZE);
                int dim = params.get(VitEncoderProvider.WIDTH);
                long channels = encoder.inputShape().get(0);
                model.put("patch_size", patch);
                model.put("width", dim);
                model.put("depth", params.get(VitEncoderProvider.DEPTH));
                model.put("heads", params.get(VitEncoderProvider.HEADS));
                model.put("mlp_ratio", params.get(VitEncoderProvider.MLP_RATIO));
                model.put("positions", params.get(VitEncoderProvider.POSITIONS));
                model.put("pooling", params.get(VitEncoderProvider.POOLING));
                special.put("patchWeight", new Entry("patchWeight", "patch_embed.proj.weight",
                        new Shape(dim, (long) patch * patch * channels), new long[] {dim, patch, patch, channels},
                        new int[] {0, 3, 1, 2}));
                special.put("patchBias", new Entry("patchBias", "patch_embed.proj.bias", new Shape(dim), null, null));
                special.put("clsToken", new Entry("clsToken", "cls_token", new Shape(1, 1, dim), null, null));
                long n = v.patchCount();
                special.put("positions", new Entry("", "pos_embed", new Shape(n, dim), new long[] {1, n, dim}, null));
                rename = block("blocks", "norm1", "attn.qkv", "attn.proj", "norm2", "mlp.fc1", "mlp.fc2", "norm");
            }
            case "transformer" -> {
                if (!(encoder instanceof TransformerEncoder t)) {
                    throw notBuiltIn(encoderName, encoder);
                }
                model.put("vocabulary", t.transformer().vocabularySize());
                model.put("context", t.transformer().context());
                model.put("layers", t.transformer().stack().blocks().size());
                model.put("heads", t.transformer().stack().blocks().get(0).attention().heads());
                model.put("width", t.transformer().width());
                model.put("causal", t.transformer().causal());
                // from the built encoder rather than the parameters: an encoder made in code may differ
                model.put("bias", encoder.block().getParameters().keys().stream().anyMatch(k -> k.endsWith("qkvBias")));
                model.put("pad_id", t.transformer().padId());
                model.put("pooling", t.isCausal() ? "last" : "mean");
                special.put("tokenEmbedding", new Entry("", "transformer.wte.weight", null, null, null));
                special.put("positions", new Entry("", "transformer.wpe.weight", null, null, null));
                rename = block("transformer.h", "ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj",
                        "transformer.ln_f");
            }
            default -> throw new PretextException("Encoder '" + encoderName + "' has no PyTorch counterpart in"
                    + " python/pretext_encoders.py (it knows " + String.join(", ", ENCODERS) + "); export it with"
                    + " --format pretext");
        }
        List<Entry> entries = new ArrayList<>();
        for (Pair<String, Parameter> p : encoder.block().getParameters()) {
            String name = p.getKey();
            Shape shape = p.getValue().getArray().getShape();
            Entry e = specialEntry(special, name, shape);
            if (e == null) {
                String torch = rename.apply(name);
                if (torch == null) {
                    throw new PretextException("Encoder '" + encoderName + "': parameter '" + name + "' has no"
                            + " PyTorch name (a parameter this mapping does not know)");
                }
                e = new Entry(name, torch, shape, null, null);
            }
            for (Entry other : entries) {
                if (other.torchName().equals(e.torchName())) {
                    throw new IllegalStateException("Encoder '" + encoderName + "': parameters '" + other.djlName()
                            + "' and '" + name + "' both map to '" + e.torchName() + "'");
                }
            }
            entries.add(e);
        }
        return new TorchStateDict(encoderName, entries, model);
    }

    private static PretextException notBuiltIn(String name, Encoder e) {
        return new PretextException("Encoder '" + name + "' is not the built-in one (" + e.getClass().getName()
                + "): it cannot be mapped to PyTorch");
    }

    private static Entry specialEntry(Map<String, Entry> special, String name, Shape shape) {
        for (Map.Entry<String, Entry> s : special.entrySet()) {
            String key = s.getKey();
            boolean hit = key.equals("positions") ? name.matches("(.*_)?\\d\\dpositions_positionEmbedding")
                    : name.equals(key) || name.endsWith("_" + key);
            if (hit) {
                Entry e = s.getValue();
                return new Entry(name, e.torchName(), shape, e.view(), e.permute());
            }
        }
        return null;
    }

    private static final Pattern SEQUENTIAL = Pattern.compile("(\\d+)(Linear|Conv2d|BatchNorm)_(\\w+)");
    private static final Map<String, String> SEQUENTIAL_FIELDS = Map.of("weight", "weight", "bias", "bias",
            "gamma", "weight", "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

    /** {@code 02Linear_weight} → {@code layers.(2 + offset).weight}: DJL numbers a sequence's children from 1. */
    private static UnaryOperator<String> sequential(int offset) {
        return name -> {
            Matcher m = SEQUENTIAL.matcher(name);
            if (!m.matches() || !SEQUENTIAL_FIELDS.containsKey(m.group(3))) {
                return null;
            }
            return "layers." + (Integer.parseInt(m.group(1)) + offset) + "." + SEQUENTIAL_FIELDS.get(m.group(3));
        };
    }

    private static final Pattern BLOCK = Pattern.compile(".*_\\d\\dblock(\\d+)_(?:\\d\\dattention_)?(\\w+)");
    private static final Pattern FINAL_NORM = Pattern.compile(".*\\d\\dstack_norm(Gamma|Beta)");

    private static UnaryOperator<String> block(String prefix, String ln1, String qkv, String out, String ln2,
            String fc, String proj, String finalNorm) {
        return name -> {
            Matcher f = FINAL_NORM.matcher(name);
            if (f.matches()) {
                return finalNorm + (f.group(1).equals("Gamma") ? ".weight" : ".bias");
            }
            Matcher m = BLOCK.matcher(name);
            if (!m.matches()) {
                return null;
            }
            String base = prefix + "." + m.group(1) + ".";
            return switch (m.group(2)) {
                case "ln1Gamma" -> base + ln1 + ".weight";
                case "ln1Beta" -> base + ln1 + ".bias";
                case "qkvWeight" -> base + qkv + ".weight";
                case "qkvBias" -> base + qkv + ".bias";
                case "outWeight" -> base + out + ".weight";
                case "outBias" -> base + out + ".bias";
                case "ln2Gamma" -> base + ln2 + ".weight";
                case "ln2Beta" -> base + ln2 + ".bias";
                case "fcWeight" -> base + fc + ".weight";
                case "fcBias" -> base + fc + ".bias";
                case "projWeight" -> base + proj + ".weight";
                case "projBias" -> base + proj + ".bias";
                default -> null;
            };
        };
    }

    /** The encoder provider's name. */
    public String encoderName() {
        return encoderName;
    }

    /** Every parameter, in the encoder's order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The architecture as {@code python/pretext_encoders.py} reads it ({@code config.json}'s {@code model}). */
    public Map<String, Object> model() {
        return model;
    }

    /**
     * The encoder's parameters as PyTorch tensors, each named by its state-dict key, in the
     * parameters' manager (the caller closes it, or a sub-manager attached to it).
     */
    public Map<String, NDArray> toTorch(Map<String, Parameter> parameters) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            NDArray a = e.toTorch(parameters.get(e.djlName()).getArray());
            a.setName(e.torchName());
            out.put(e.torchName(), a);
        }
        return out;
    }

    /**
     * Copies a PyTorch state dict into the encoder's parameters. Every tensor must be there with its
     * shape, and no other.
     *
     * @param source the file the tensors came from, for messages
     * @throws PretextException naming the file, the first tensor that is missing, unexpected or of
     *     another shape, and the shape expected
     */
    public void load(Map<String, NDArray> tensors, Map<String, Parameter> parameters, String source) {
        check(tensors, source);
        for (Entry e : entries) {
            NDArray djl = e.toDjl(tensors.get(e.torchName()));
            HostArrays.copyInto(parameters.get(e.djlName()).getArray(), djl.toType(
                    ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
        }
    }

    /**
     * Refuses tensors whose names or shapes do not fit, naming the first mismatch; BatchNorm's
     * {@code num_batches_tracked} counters of a PyTorch state dict are ignored.
     */
    public void check(Map<String, NDArray> tensors, String source) {
        for (Entry e : entries) {
            NDArray t = tensors.get(e.torchName());
            if (t == null) {
                throw new PretextException(source + ": tensor '" + e.torchName() + "' is missing; encoder '"
                        + encoderName + "' expects it with shape " + shapeText(e.torchShape()) + " (the file has "
                        + String.join(", ", tensors.keySet().stream().limit(6).toList())
                        + (tensors.size() > 6 ? ", ..." : "") + ")");
            }
            if (!t.getShape().equals(e.torchShape())) {
                throw new PretextException(source + ": tensor '" + e.torchName() + "' has shape "
                        + shapeText(t.getShape()) + " but encoder '" + encoderName + "' expects "
                        + shapeText(e.torchShape()));
            }
        }
        if (tensors.size() != entries.size()) {
            for (String name : tensors.keySet()) {
                if (!name.endsWith(".num_batches_tracked") // PyTorch's BatchNorm counter: no weight, ignored
                        && entries.stream().noneMatch(e -> e.torchName().equals(name))) {
                    throw new PretextException(source + ": tensor '" + name + "' (shape "
                            + shapeText(tensors.get(name).getShape()) + ") is not a parameter of encoder '"
                            + encoderName + "' with this configuration");
                }
            }
        }
    }

    private static String shapeText(Shape s) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < s.dimension(); i++) {
            b.append(i == 0 ? "" : ", ").append(s.get(i));
        }
        return b.append(')').toString();
    }
}
