package org.pretext.finetune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The encoder's parameters grouped into blocks from the input upwards, for freezing the first N
 * blocks and for layer-wise learning-rate decay. Built from the parameter names DJL gives the
 * built-in encoders:
 *
 * <ul>
 *   <li>a transformer block's parameters ({@code ..._NNblockK_...}, the ViT and the token
 *       transformer) form block K; what comes before the first block (patch or token embedding,
 *       class token, positions) is one block, the stack's final norm ({@code ..._NNstack_norm...},
 *       listed by DJL before the blocks) the last;
 *   <li>in a sequence of layers (MLP and CNN: {@code 01Linear_weight}, {@code 02BatchNorm_gamma},
 *       {@code 03Conv2d_weight}) every {@code Linear} or {@code Conv2d} starts a block, and what
 *       follows it (its BatchNorm) belongs to it;
 *   <li>any other parameter starts a block of its own.
 * </ul>
 */
public final class EncoderLayers {
    private static final Pattern BLOCK = Pattern.compile(".*?_?\\d\\dblock(\\d+)_.*");
    private static final Pattern LAYER = Pattern.compile("(?:.*_)?\\d+(Linear|Conv2d|Conv1d)_\\w+");
    private static final Pattern NORM = Pattern.compile("(?:.*_)?\\d+(BatchNorm|LayerNorm)_\\w+");
    /** A transformer stack's final norm, which DJL lists before the blocks but which acts after them. */
    private static final Pattern FINAL_NORM = Pattern.compile(".*\\d\\dstack_norm\\w*");

    private EncoderLayers() {}

    /**
     * Parameter names by block, first block first.
     *
     * @param names the encoder's parameter names in the block's order
     */
    public static List<List<String>> of(List<String> names) {
        List<List<String>> groups = new ArrayList<>();
        Map<String, List<String>> transformerBlocks = new LinkedHashMap<>();
        List<String> current = null;
        String currentKey = null;
        List<String> last = new ArrayList<>();
        for (String name : names) {
            if (FINAL_NORM.matcher(name).matches()) {
                last.add(name);
                continue;
            }
            Matcher b = BLOCK.matcher(name);
            String key;
            boolean starts;
            if (b.matches()) {
                key = "block" + b.group(1);
                starts = !key.equals(currentKey);
            } else if (LAYER.matcher(name).matches()) {
                key = "layer:" + name.substring(0, name.lastIndexOf('_'));
                starts = !key.equals(currentKey);
            } else if (NORM.matcher(name).matches() && currentKey != null && currentKey.startsWith("layer:")) {
                key = currentKey;
                starts = false;
            } else {
                // embeddings before the first block group together, as does whatever follows the last one
                key = currentKey != null && currentKey.startsWith("other") ? currentKey : "other" + groups.size();
                starts = !key.equals(currentKey);
            }
            if (starts) {
                current = transformerBlocks.computeIfAbsent(key + "#" + groups.size(), k -> new ArrayList<>());
                groups.add(current);
                currentKey = key;
            }
            current.add(name);
        }
        if (!last.isEmpty()) {
            groups.add(last);
        }
        return groups;
    }
}
