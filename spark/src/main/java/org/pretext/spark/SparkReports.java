package org.pretext.spark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.pretext.runner.report.RunReport;

/** report.json of a Spark run: the local report's shape, with where Spark ran under {@code provenance.spark}. */
final class SparkReports {
    private SparkReports() {}

    static void write(RunReport report, Map<String, Object> spark, Path file) throws IOException {
        report.write(file);
        JsonObject root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonElement prov = root.get("provenance");
        if (prov != null && prov.isJsonObject()) {
            prov.getAsJsonObject().add("spark", new GsonBuilder().create().toJsonTree(spark));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root),
                StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
