package org.pretext.text;

import org.apiguardian.api.API;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.pretext.PretextException;
import org.pretext.registry.ProviderRegistry;

/** Finding tokenizer kinds by name and reading tokenizers back from their plain data. */
@API(status = API.Status.STABLE, since = "0.1")
public final class Tokenizers {
    private static final Gson GSON = new Gson();

    private Tokenizers() {}

    /** The tokenizer providers on the classpath. */
    public static ProviderRegistry<TokenizerProvider> registry() {
        return ProviderRegistry.load(TokenizerProvider.class, "tokenizer");
    }

    /**
     * Rebuilds a tokenizer from {@link Tokenizer#toBytes()} data by the provider its {@code "kind"} names.
     *
     * @param source where the data came from, for messages
     */
    public static Tokenizer read(byte[] data, String source) {
        String kind;
        try {
            JsonObject o = GSON.fromJson(new String(data, StandardCharsets.UTF_8), JsonObject.class);
            if (o == null || !o.has("kind") || !o.get("kind").isJsonPrimitive()) {
                throw new JsonParseException("no \"kind\" field");
            }
            kind = o.get("kind").getAsString();
        } catch (JsonParseException | IllegalStateException e) {
            throw new PretextException("The tokenizer in " + source + " is malformed: " + e.getMessage()
                    + "; expected a JSON object with a \"kind\" field", e);
        }
        return registry().get(kind).read(data, source);
    }

    /** The first 16 hex digits of the SHA-256 of a tokenizer's data. */
    public static String fingerprint(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
