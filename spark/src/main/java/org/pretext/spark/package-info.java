/**
 * Pretext on Apache Spark: frozen features of a DataFrame computed on the executors
 * ({@link org.pretext.spark.SparkEmbedder}, the encoder shipped once and loaded once per executor JVM by
 * {@link org.pretext.spark.ShippedEncoder}), the linear probe of Pretext's protocol on MLlib
 * ({@link org.pretext.spark.SparkProbe}), and the {@code pretext-spark} command line
 * ({@link org.pretext.spark.Main}).
 */
package org.pretext.spark;
