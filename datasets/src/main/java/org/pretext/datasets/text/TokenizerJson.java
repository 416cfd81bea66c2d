package org.pretext.datasets.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import org.pretext.PretextException;

/** Strict reading of a tokenizer's JSON data: every problem names the source and the field. */
final class TokenizerJson {
    private TokenizerJson() {}

    static JsonObject parse(byte[] data, String source, String kind, int version) {
        JsonElement e;
        try {
            e = JsonParser.parseString(new String(data, StandardCharsets.UTF_8));
        } catch (JsonParseException ex) {
            throw bad(source, "not JSON (" + ex.getMessage() + ")");
        }
        if (!e.isJsonObject()) {
            throw bad(source, "not a JSON object");
        }
        JsonObject o = e.getAsJsonObject();
        if (!o.has("kind") || !kind.equals(asString(o.get("kind")))) {
            throw bad(source, "\"kind\" is " + o.get("kind") + ", expected \"" + kind + "\"");
        }
        if (!o.has("version") || !Integer.toString(version).equals(asString(o.get("version")))) {
            throw bad(source, "\"version\" is " + o.get("version") + ", this Pretext reads " + kind + " version "
                    + version);
        }
        return o;
    }

    private static String asString(JsonElement e) {
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    static JsonArray array(JsonObject o, String field, String source) {
        if (!o.has(field) || !o.get(field).isJsonArray()) {
            throw bad(source, "no \"" + field + "\" array");
        }
        return o.getAsJsonArray(field);
    }

    static int intAt(JsonArray a, int i, String field, String source) {
        JsonElement e = a.get(i);
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                double d = e.getAsDouble();
                if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return (int) d;
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw bad(source, field + "[" + i + "] = " + e + " is not an integer");
    }

    static PretextException bad(String source, String what) {
        return new PretextException("The tokenizer data in " + source + " is malformed: " + what);
    }
}
