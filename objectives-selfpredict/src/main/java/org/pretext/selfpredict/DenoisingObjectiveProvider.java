package org.pretext.selfpredict;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.transform.Augmentation;

/**
 * {@code denoising}: the denoising autoencoder of Vincent et al. (2008, 2010). Defaults: masking
 * noise destroying a fraction ν = 0.25 of the values (the level of Vincent et al. 2008's MNIST
 * experiments), an affine decoder as in the paper, squared error. Gaussian noise defaults to
 * σ = 0.1, the low end of the levels Vincent et al. (2010) tried (0.05-0.5): on MNIST in [0, 1],
 * σ = 0.3 and 0.5 gave features far worse than the random encoder's on clean images (measured
 * 0.23 and 0.20 against 0.62 at 10 labels per class), σ = 0.1 slightly better (0.63).
 */
public final class DenoisingObjectiveProvider extends ProviderBase implements ObjectiveProvider {
    /** Which corruption is applied. */
    public static final Param<String> CORRUPTION = Param.ofChoice("corruption", "masking",
            List.of("masking", "gaussian"),
            "masking: set a random fraction of the values to 0; gaussian: add N(0, noise-std^2) to every value");
    /** Masking noise: the fraction ν of values set to 0. */
    public static final Param<Double> MASK_FRACTION = Param.ofDouble("mask-fraction", 0.25,
            "masking corruption: probability ν that each value is set to 0").above(0).below(1);
    /** Gaussian noise: the standard deviation σ. */
    public static final Param<Double> NOISE_STD = Param.ofDouble("noise-std", 0.1,
            "gaussian corruption: standard deviation σ of the added noise (inputs in [0, 1])").above(0);
    /** Hidden width of the decoder head; 0 for an affine decoder. */
    public static final Param<Integer> DECODER_HIDDEN = Param.ofInt("decoder-hidden", 0,
            "hidden width of the decoder head (0: an affine decoder, as in the paper)").atLeast(0);

    public DenoisingObjectiveProvider() {
        super(Versions.SPI_VERSION, "denoising", "Denoising autoencoder: corrupt the input (masking or Gaussian noise), reconstruct the clean input",
                List.of(CORRUPTION, MASK_FRACTION, NOISE_STD, DECODER_HIDDEN));
    }

    @Override
    public Objective create(ParamValues p) {
        Augmentation corruption = "masking".equals(p.get(CORRUPTION)) ? Corruptions.masking(p.get(MASK_FRACTION))
                : Corruptions.gaussian(p.get(NOISE_STD));
        return new DenoisingObjective(corruption, p.get(DECODER_HIDDEN));
    }
}
