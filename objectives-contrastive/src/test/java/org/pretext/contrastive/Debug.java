package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.SplittableRandom;
import org.pretext.data.BatchPlan;
import org.pretext.engine.EngineSetup;
import org.pretext.model.PretextModel;
import org.pretext.objective.Objective;
import org.pretext.objective.PreparedBatch;
import org.pretext.objective.StepContext;

public final class Debug {
    public static void main(String[] args) {
        String name = args[0];
        int reps = Integer.parseInt(args[1]);
        Objective obj = TestRuns.objective(name, Map.of());
        try (PretextModel model = TestRuns.model(obj, 3)) {
            PreparedBatch batch = obj.prepare(TestRuns.mnist().pretrain().batches(BatchPlan.sequential(256)).next(),
                    new SplittableRandom(1));
            float firstLoss = 0;
            float[] firstGrad = null;
            int diffLoss = 0;
            int diffGrad = 0;
            for (int rep = 0; rep < reps; rep++) {
                try (NDManager step = model.manager().newSubManager()) {
                    StepContext ctx = new StepContext() {
                        public PretextModel model() { return model; }
                        public NDManager manager() { return step; }
                        public long step() { return 0; }
                        public long totalSteps() { return 1; }
                        public void metric(String n, double v) {}
                    };
                    NDList in = new NDList();
                    for (org.pretext.data.HostTensor t : batch.tensors()) {
                        float[] v = t.floats();
                        int offset = (rep % 16) * 4;
                        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocateDirect(v.length * 4 + 64);
                        raw.position(offset);
                        java.nio.ByteBuffer bb = raw.slice().order(java.nio.ByteOrder.nativeOrder());
                        bb.asFloatBuffer().put(v);
                        bb.limit(v.length * 4);
                        in.add(step.create(bb, t.shape(), ai.djl.ndarray.types.DataType.FLOAT32));
                    }
                    float loss;
                    try (GradientCollector gc = EngineSetup.engine().newGradientCollector()) {
                        NDArray l = obj.loss(ctx, in);
                        gc.backward(l);
                        loss = l.getFloat();
                    }
                    Parameter p = model.trainableParameters().values().iterator().next();
                    NDArray g = p.getArray().getGradient();
                    g.attach(step);
                    float[] grad = g.toFloatArray();
                    for (Parameter q : model.trainableParameters().values()) {
                        ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) q.getArray());
                    }
                    if (rep == 0) {
                        firstLoss = loss;
                        firstGrad = grad;
                    } else {
                        if (loss != firstLoss) diffLoss++;
                        if (!java.util.Arrays.equals(grad, firstGrad)) diffGrad++;
                    }
                }
            }
            System.out.printf("%s: %d reps, loss differs %d, grad differs %d%n", name, reps, diffLoss, diffGrad);
        }
    }
}
