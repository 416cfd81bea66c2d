package org.pretext.encoder;

import org.apiguardian.api.API;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * An encoder made of any DJL block whose output is (B, featureSize): the way to use your own
 * network as a Pretext encoder.
 *
 * @param block maps (B, inputShape...) to (B, featureSize)
 * @param inputShape shape of one example
 * @param featureSize width of the output
 */
@API(status = API.Status.STABLE, since = "0.1")
public record BlockEncoder(Block block, Shape inputShape, int featureSize) implements Encoder {}
