package org.pretext.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar pretext-spark.jar} without Spark on its class path runs {@link Main} in a child JVM
 * with its own options; a flight recording asked for on the command line is the child's.
 */
class LauncherTest {
    @Test
    void aFlightRecordingOnTheCommandLineRecordsTheChildThatDoesTheWork(@TempDir Path tmp) throws Exception {
        Path sparkHome = Path.of(System.getProperty("pretext.sparkHome", "target/spark-home"));
        assumeThat(Files.isDirectory(sparkHome.resolve("jars"))).as("skipped: " + sparkHome
                + "/jars is made by the build (mvn process-resources)").isTrue();
        Path classes = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // the launcher's class path without Spark: this module's classes and what they need, Spark's jars left out
        StringBuilder cp = new StringBuilder(classes.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("spark") && !entry.contains("scala") && !entry.contains("test-classes")) {
                cp.append(File.pathSeparator).append(entry);
            }
        }
        Path jfr = tmp.resolve("run.jfr");
        Path log = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:StartFlightRecording=filename=" + jfr + ",settings=default", "-cp", cp.toString(),
                Launcher.class.getName(), "--help"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("embed", "probe", "pretrain");
        String arguments = null;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals("jdk.JVMInformation")) {
                arguments = e.getString("javaArguments");
            }
        }
        assertThat(arguments).as("the recording's JVM").startsWith(Main.class.getName());
    }
}
