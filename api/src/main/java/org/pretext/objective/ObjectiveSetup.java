package org.pretext.objective;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pretext.encoder.Encoder;

/**
 * What an objective is given to build its heads: the encoder (already initialised), the shape of
 * the raw examples, and the model's long-lived manager for parameters and state.
 *
 * @param encoder the encoder the heads go on
 * @param exampleShape shape of one raw example from the data
 * @param manager long-lived manager that owns parameters and objective state
 * @param device the training device
 * @param seed the run seed, for anything the objective draws at set-up
 */
public record ObjectiveSetup(Encoder encoder, Shape exampleShape, NDManager manager, Device device, long seed) {}
