//! The adversarial losses: what the discriminator and the generator minimise, from the
//! discriminator's raw outputs (`[N, 1]`) on real and generated images.

use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid, softplus};
use serde::{Deserialize, Serialize};

/// An adversarial loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// Sigmoid cross-entropy (Goodfellow et al.): the outputs are logits of D(x).
    #[default]
    Standard,
    /// Least squares (Mao et al., LSGAN): D pushes real outputs to 1 and fake ones to 0, G
    /// pushes fake outputs to 1.
    Lsgan,
    /// Hinge (Lim & Ye; Miyato et al.): D minimises `relu(1 - D(x)) + relu(1 + D(G(z)))`, G
    /// minimises `-D(G(z))`.
    Hinge,
}

impl Loss {
    /// The discriminator's loss: batch means of its terms on real and fake outputs.
    pub fn discriminator(self, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
        match self {
            Loss::Standard => bce_with_logits(real, true) + bce_with_logits(fake, false),
            Loss::Lsgan => (real.sub_scalar(1.0).powi_scalar(2).mean()
                + fake.powi_scalar(2).mean())
            .mul_scalar(0.5),
            Loss::Hinge => {
                relu(real.neg().add_scalar(1.0)).mean() + relu(fake.add_scalar(1.0)).mean()
            }
        }
    }

    /// The generator's loss on the discriminator's outputs for generated images. With
    /// `saturating` (standard loss only), the original minimax form `log(1 - D(G(z)))`
    /// instead of the non-saturating `-log D(G(z))`.
    pub fn generator(self, fake: Tensor<2>, saturating: bool) -> Tensor<1> {
        match self {
            Loss::Standard if saturating => softplus(fake, 1.0).mean().neg(),
            Loss::Standard => bce_with_logits(fake, true),
            Loss::Lsgan => fake.sub_scalar(1.0).powi_scalar(2).mean().mul_scalar(0.5),
            Loss::Hinge => fake.mean().neg(),
        }
    }

    /// The statistic reported as D(x) or D(G(z)) for a batch of outputs: the mean probability
    /// for the standard loss, the mean raw output otherwise.
    pub fn reported(self, outputs: Tensor<2>) -> Tensor<1> {
        match self {
            Loss::Standard => sigmoid(outputs).mean(),
            Loss::Lsgan | Loss::Hinge => outputs.mean(),
        }
    }
}

/// Mean sigmoid cross-entropy of logits against an all-real or all-fake target, computed
/// stably: `softplus(-x)` for real, `softplus(x)` for fake. For the generator (target real)
/// this is the non-saturating loss `-log D(G(z))`.
pub fn bce_with_logits(logits: Tensor<2>, real: bool) -> Tensor<1> {
    let x = if real { logits.neg() } else { logits };
    softplus(x, 1.0).mean()
}
