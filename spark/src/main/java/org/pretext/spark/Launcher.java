package org.pretext.spark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pretext.runtime.ChildJvm;
import org.pretext.runtime.MallocTuning;

/**
 * The main class of {@code pretext-spark.jar}. Spark is a provided dependency, so the jar holds
 * Pretext and DJL but not Spark: under {@code spark-submit} (or any class path that has Spark) this
 * runs {@link Main} directly; under {@code java -jar pretext-spark.jar ...} it starts {@link Main} in a
 * child JVM whose class path is this JVM's (the jar) and the Spark jars of {@code $SPARK_HOME/jars} when
 * {@code SPARK_HOME} is set, else of {@code spark-home/jars} beside the jar (the build copies the Spark
 * it was built against there), with the {@code --add-opens} options Spark's own launcher passes on
 * Java 17, this JVM's own options (e.g. {@code -Xmx}, and a flight recording, which only the child then
 * writes) and glibc's allocator settings for large arrays ({@link MallocTuning#GLIBC_TUNABLES}), through
 * {@link ChildJvm}. It refers to no Spark class itself.
 */
public final class Launcher {
    /** What Spark's launcher ({@code org.apache.spark.launcher.JavaModuleOptions}) adds on Java 17. */
    static final List<String> JAVA_MODULE_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true");

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (sparkPresent()) {
            Main.main(args);
            return;
        }
        Path jar = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String home = System.getenv("SPARK_HOME");
        Path jars = home != null && !home.isBlank() ? Path.of(home, "jars")
                : jar.toAbsolutePath().getParent().resolve("spark-home").resolve("jars");
        if (!Files.isDirectory(jars)) {
            System.err.println("error: Spark is not on the class path and " + jars + " does not exist: set SPARK_HOME to"
                    + " a Spark 4 installation, keep spark-home/ beside " + jar.getFileName() + " (the build makes it),"
                    + " or run through spark-submit --class org.pretext.spark.Main " + jar.getFileName());
            System.exit(Main.USAGE_ERROR);
        }
        // this JVM's class path (the jar itself under java -jar) and Spark's jars
        String classPath = System.getProperty("java.class.path", jar.toString()) + File.pathSeparator + jars
                + File.separator + "*";
        if (ChildJvm.debuggerAgent()) {
            System.err.println("note: the debugger is attached to this launcher; the child JVM that does the work runs"
                    + " without its agent (to debug the work, start " + Main.class.getName() + " with Spark's jars on"
                    + " the class path, e.g. through spark-submit)");
        }
        System.exit(ChildJvm.run(ChildJvm.command(JAVA_MODULE_OPTIONS, classPath, Main.class.getName(), List.of(args)),
                MallocTuning.childEnvironment(System.getenv())));
    }

    private static boolean sparkPresent() {
        try {
            Class.forName("org.apache.spark.SparkConf", false, Launcher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
