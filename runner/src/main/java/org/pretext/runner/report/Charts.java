package org.pretext.runner.report;

import org.pretext.probe.ProbeResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
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

    /** Accuracy (mean ± sd over draws) against labels per class, one line per feature set. */
    public static void labelEfficiency(List<ProbeResult> entries, String probe, Path png) throws IOException {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        List<String> budgets = new ArrayList<>();
        entries.stream().filter(e -> e.probe().equals(probe)).map(ProbeResult::labelsPerClass).distinct()
                .sorted((a, b) -> a == null ? 1 : b == null ? -1 : Integer.compare(a, b))
                .forEach(b -> budgets.add(b == null ? "all" : Integer.toString(b)));
        Map<String, Map<String, ProbeResult>> byFeatures = new LinkedHashMap<>();
        for (ProbeResult e : entries) {
            if (e.probe().equals(probe)) {
                byFeatures.computeIfAbsent(e.features(), k -> new LinkedHashMap<>())
                        .put(e.labelsPerClass() == null ? "all" : Integer.toString(e.labelsPerClass()), e);
            }
        }
        for (Map.Entry<String, Map<String, ProbeResult>> f : byFeatures.entrySet()) {
            for (String b : budgets) {
                ProbeResult e = f.getValue().get(b);
                if (e != null) {
                    data.add(100 * e.accuracy(), 100 * e.accuracyStd(), f.getKey(), b);
                }
            }
        }
        JFreeChart chart = ChartFactory.createLineChart("Label efficiency (" + probe + " probe, frozen features)",
                "labels per class", "test accuracy (%)", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        StatisticalLineAndShapeRenderer r = new StatisticalLineAndShapeRenderer(true, true);
        for (int i = 0; i < byFeatures.size(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
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
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
        }
        style(chart);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, WIDTH);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(248, 248, 250));
    }
}
