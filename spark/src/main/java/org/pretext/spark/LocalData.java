package org.pretext.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pretext.PretextException;
import org.pretext.data.Batch;
import org.pretext.data.BatchPlan;
import org.pretext.data.DatasetProvider;
import org.pretext.data.Split;
import org.pretext.datasets.DatasetPaths;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.RunConfig;

/** A dataset the runner reads (by config, name or path), opened on the driver and handed to Spark as rows. */
final class LocalData {
    private LocalData() {}

    /** The dataset of a runner config's {@code dataset:} section, overridden by a name or path. */
    static org.pretext.data.Dataset open(Path config, String dataset) {
        Map<String, Object> tree = ConfigLoader.defaults();
        if (config != null) {
            ConfigLoader.merge(tree, ConfigLoader.read(config));
        }
        if (dataset != null) {
            Path p = Path.of(dataset);
            boolean path = dataset.contains("/") || dataset.startsWith(".") || Files.exists(p);
            Map<String, Object> section = new LinkedHashMap<>();
            if (path) {
                if (!Files.exists(p)) {
                    throw new PretextException("Dataset path " + dataset + " does not exist: expected a folder or file"
                            + " of data (IDX files, class folders of images, .npy, .csv, CIFAR binaries) or a dataset name");
                }
                DatasetPaths.Resolved r = DatasetPaths.resolve(p.toAbsolutePath().normalize());
                section.put("name", r.provider());
                section.putAll(r.params());
            } else {
                section.put("name", dataset);
            }
            tree.put("dataset", section);
        }
        RunConfig cfg = ConfigLoader.resolve(tree);
        DatasetProvider dp = ProviderRegistry.load(DatasetProvider.class, "dataset",
                Thread.currentThread().getContextClassLoader()).get(cfg.dataset().name());
        return dp.open(ParamValues.resolve("dataset '" + dp.name() + "'", dp.parameters(), cfg.dataset().params()));
    }

    /** Rows (id: the row index, label, input: the example flattened as array<float>) of a split. */
    static Dataset<Row> frame(SparkSession spark, Split split, Integer partitions) {
        List<Row> rows = new ArrayList<>(Math.toIntExact(split.size()));
        long id = 0;
        Iterator<Batch> it = split.batches(BatchPlan.sequential(1024));
        int size = Math.toIntExact(split.exampleShape().size());
        while (it.hasNext()) {
            Batch b = it.next();
            float[] x = b.inputs().floats();
            for (int i = 0; i < b.size(); i++) {
                float[] one = java.util.Arrays.copyOfRange(x, i * size, (i + 1) * size);
                rows.add(RowFactory.create(id++, b.labels() == null ? null : b.labels()[i], one));
            }
        }
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("label", DataTypes.IntegerType, true)
                .add("input", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        int n = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
        // an RDD of the rows, not a local relation: Spark keeps a local relation's rows in the query plan and
        // hashes them all whenever it compares plans (every job on a cached frame), which cost minutes on MNIST
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, n),
                schema);
    }
}
