package org.pretext.runner.report;

import org.pretext.probe.ProbeResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's PNG plots, drawn with JFreeChart (headless). */
public final class Charts {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /** Loss (and its moving average) against the step. */
    public static void lossCurve(List<double[]> stepLoss, String objective, Path png) throws IOException {
        metricCurve(stepLoss, "Pretraining loss (" + objective + ")", "loss (mean since the previous log line)", "loss", png);
    }

    /** One logged metric against the step. */
    public static void metricCurve(List<double[]> stepValue, String title, String series, String axis, Path png)
            throws IOException {
        XYSeries s = new XYSeries(series);
        for (double[] p : stepValue) {
            s.add(p[0], p[1]);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", axis,
                new XYSeriesCollection(s), PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(1.5f));
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * Accuracy (mean ± sd over draws) against labels per class on a log axis, one line per feature
     * set; the "all labels" budget sits at its labelled rows per class and is marked "all".
     */
    public static void labelEfficiency(List<ProbeResult> entries, String probe, Path png) throws IOException {
        Map<String, YIntervalSeries> byFeatures = new LinkedHashMap<>();
        double allX = Double.NaN;
        int classes = 0;
        for (ProbeResult e : entries) {
            if (e.probe().equals(probe) && e.labelsPerClass() != null && e.labelsPerClass() > 0) {
                classes = Math.max(classes, e.trainExamples() / e.labelsPerClass());
            }
        }
        for (ProbeResult e : entries) {
            if (!e.probe().equals(probe)) {
                continue;
            }
            double x = e.labelsPerClass() != null ? e.labelsPerClass()
                    : e.trainExamples() / (double) Math.max(1, classes);
            if (e.labelsPerClass() == null) {
                allX = x;
            }
            double mean = 100 * e.accuracy();
            double sd = Double.isFinite(e.accuracyStd()) ? 100 * e.accuracyStd() : 0;
            byFeatures.computeIfAbsent(e.features(), YIntervalSeries::new).add(x, mean, mean - sd, mean + sd);
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        byFeatures.values().forEach(data::addSeries);
        LogAxis xAxis = new LogAxis("labels per class (log scale" + (Double.isNaN(allX) ? ")"
                : String.format(java.util.Locale.ROOT, "; \"all\" = every training label, %.0f per class)", allX)));
        xAxis.setBase(10);
        xAxis.setSmallestValue(0.5);
        xAxis.setNumberFormatOverride(new java.text.DecimalFormat("0.#"));
        NumberAxis yAxis = new NumberAxis("test accuracy (%)");
        yAxis.setAutoRangeIncludesZero(false);
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDrawXError(false);
        r.setDefaultLinesVisible(true);
        r.setDefaultShapesVisible(true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        XYPlot plot = new XYPlot(data, xAxis, yAxis, r);
        if (!Double.isNaN(allX)) {
            org.jfree.chart.plot.ValueMarker all = new org.jfree.chart.plot.ValueMarker(allX, Color.GRAY,
                    new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            all.setLabel("all");
            all.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
            all.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(all);
        }
        JFreeChart chart = new JFreeChart("Label efficiency (" + probe + " probe, frozen features)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * The fine-tuning stage's label efficiency: test accuracy against the labelled examples of a
     * draw (log scale), one line per method, bars of ± one standard deviation over draws.
     */
    public static void finetuneEfficiency(FinetuneReport report, Path png) throws IOException {
        Map<String, YIntervalSeries> byMethod = new LinkedHashMap<>();
        for (FinetuneReport.Entry e : report.entries()) {
            double mean = 100 * e.accuracy();
            double sd = Double.isFinite(e.accuracyStd()) ? 100 * e.accuracyStd() : 0;
            byMethod.computeIfAbsent(e.method(), YIntervalSeries::new).add(e.labelled(), mean, mean - sd, mean + sd);
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        byMethod.values().forEach(data::addSeries);
        LogAxis xAxis = new LogAxis("labelled training examples per draw (log scale)");
        xAxis.setBase(10);
        xAxis.setSmallestValue(1);
        xAxis.setNumberFormatOverride(new java.text.DecimalFormat("0"));
        NumberAxis yAxis = new NumberAxis("test accuracy (%)");
        yAxis.setAutoRangeIncludesZero(false);
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDrawXError(false);
        r.setDefaultLinesVisible(true);
        r.setDefaultShapesVisible(true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        JFreeChart chart = new JFreeChart("Label efficiency of fine-tuning", JFreeChart.DEFAULT_TITLE_FONT,
                new XYPlot(data, xAxis, yAxis, r), true);
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * PATS's second finding as a picture: the share of the fine-tuned encoder's parameters per bin of
     * log10 |θ·∂L/∂θ|, one line per method (and budget, when there are several), pooled over draws.
     */
    public static void finetuneSensitivities(FinetuneReport report, Path png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        boolean severalBudgets = report.sensitivities().stream().map(FinetuneReport.SensitivityEntry::label).distinct()
                .count() > 1;
        for (FinetuneReport.SensitivityEntry e : report.sensitivities()) {
            XYSeries line = new XYSeries(severalBudgets ? e.method() + ", " + e.label() : e.method());
            double[] edges = e.log10Edges();
            for (int i = 0; i < e.fractions().length; i++) {
                line.add((edges[i] + edges[i + 1]) / 2, 100 * e.fractions()[i]);
            }
            data.addSeries(line);
        }
        NumberAxis xAxis = new NumberAxis("log10 sensitivity |θ · ∂L/∂θ| of a parameter after fine-tuning");
        NumberAxis yAxis = new NumberAxis("share of the encoder's parameters (%)");
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer r = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(
                true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesShape(i, shape(i));
        }
        JFreeChart chart = new JFreeChart("Sensitivities of the fine-tuned encoder's parameters",
                JFreeChart.DEFAULT_TITLE_FONT, new XYPlot(data, xAxis, yAxis, r), true);
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * Colours safe for colour-blind readers: Paul Tol's "muted" scheme (nine colours) and black;
     * the projection also varies the marker shape, so no two neighbouring classes rely on colour alone.
     */
    static final Color[] PALETTE = {new Color(0x332288), new Color(0x88CCEE), new Color(0x44AA99),
        new Color(0x117733), new Color(0x999933), new Color(0xDDCC77), new Color(0xCC6677), new Color(0x882255),
        new Color(0xAA4499), new Color(0x000000)};

    private static java.awt.Shape shape(int i) {
        return switch (i % 5) {
            case 0 -> new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5);
            case 1 -> new java.awt.geom.Rectangle2D.Double(-2.5, -2.5, 5, 5);
            case 2 -> new java.awt.Polygon(new int[] {0, 3, -3}, new int[] {-3, 3, 3}, 3);
            case 3 -> new java.awt.Polygon(new int[] {0, 3, 0, -3}, new int[] {-3, 0, 3, 0}, 4);
            default -> new java.awt.Polygon(new int[] {-3, 3, 0}, new int[] {-3, -3, 3}, 3);
        };
    }

    /** A scatter of 2-D projected test features coloured by class. */
    public static void projection(Projection p, List<String> classNames, String title, Path png) throws IOException {
        Map<Integer, XYSeries> series = new java.util.TreeMap<>();
        for (int i = 0; i < p.x().length; i++) {
            int c = p.labels()[i];
            series.computeIfAbsent(c, k -> new XYSeries(k < classNames.size() ? classNames.get(k) : "class " + k))
                    .add(p.x()[i], p.y()[i]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createScatterPlot(title, "principal component 1", "principal component 2",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesShape(i, shape(i));
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, WIDTH);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(248, 248, 250));
    }
}
