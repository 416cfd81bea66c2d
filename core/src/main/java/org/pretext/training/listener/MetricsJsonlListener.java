package org.pretext.training.listener;

import org.pretext.training.StepMetrics;
import org.pretext.training.TrainingListener;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pretext.training.PretrainResult;

/**
 * Appends one JSON object per logged step to a file ({@code metrics.jsonl}): step, epoch, loss,
 * learning rate, gradient norm, throughput and the objective's extra scalars. On resume, lines for
 * steps after the resumed checkpoint are dropped first so the file reads as one run.
 */
public final class MetricsJsonlListener implements TrainingListener, AutoCloseable {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private final Path file;
    private BufferedWriter writer;

    public MetricsJsonlListener(Path file) {
        this.file = file;
    }

    @Override
    public void onStart(long startStep, long totalSteps) {
        try {
            if (startStep > 0 && Files.exists(file)) {
                StringBuilder kept = new StringBuilder();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    Map<?, ?> m = GSON.fromJson(line, Map.class);
                    if (m != null && m.get("step") instanceof Number n && n.longValue() <= startStep) {
                        kept.append(line).append('\n');
                    }
                }
                Files.writeString(file, kept, StandardCharsets.UTF_8);
            } else {
                Files.deleteIfExists(file);
            }
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file, e);
        }
    }

    @Override
    public void onStep(StepMetrics m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("step", m.step());
        o.put("epoch", m.epoch());
        o.put("loss", m.loss());
        o.put("meanLoss", m.meanLoss());
        o.put("learningRate", m.learningRate());
        if (!Double.isNaN(m.gradientNorm())) {
            o.put("gradientNorm", m.gradientNorm());
        }
        o.put("samplesPerSecond", m.samplesPerSecond());
        o.put("elapsedSeconds", m.elapsedSeconds());
        o.putAll(m.extra());
        try {
            writer.write(GSON.toJson(o));
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file, e);
        }
    }

    @Override
    public void onEnd(PretrainResult result) {
        close();
    }

    @Override
    public void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                writer = null;
            }
        }
    }
}
