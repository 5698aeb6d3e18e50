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
    /// Wasserstein (Arjovsky et al.): the critic minimises `D(G(z)) - D(x)` with its weights
    /// clipped to ±c after every step, G minimises `-D(G(z))`; RMSProp, 5 critic steps per
    /// generator step by default.
    Wgan,
    /// Wasserstein with a gradient penalty (Gulrajani et al.): the critic minimises
    /// `D(G(z)) - D(x) + λ (‖∇x̂ D(x̂)‖₂ - 1)²` on random interpolates x̂ of real and fake
    /// images; Adam(1e-4, 0, 0.9), 5 critic steps per generator step by default.
    WganGp,
}

impl Loss {
    /// The discriminator's loss: batch means of its terms on real and fake outputs, the real
    /// ones aimed at `real_target` (1, or less with one-sided label smoothing; standard and
    /// LSGAN losses only). WGAN-GP's penalty is added by the caller ([`gradient_penalty`]).
    pub fn discriminator(self, real: Tensor<2>, fake: Tensor<2>, real_target: f64) -> Tensor<1> {
        match self {
            Loss::Standard => {
                bce_with_logits(real.clone(), true).mul_scalar(real_target)
                    + bce_with_logits(real, false).mul_scalar(1.0 - real_target)
                    + bce_with_logits(fake, false)
            }
            Loss::Lsgan => (real.sub_scalar(real_target).powi_scalar(2).mean()
                + fake.powi_scalar(2).mean())
            .mul_scalar(0.5),
            Loss::Hinge => {
                relu(real.neg().add_scalar(1.0)).mean() + relu(fake.add_scalar(1.0)).mean()
            }
            Loss::Wgan | Loss::WganGp => fake.mean() - real.mean(),
        }
    }

    /// The loss's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Standard => "standard",
            Loss::Lsgan => "lsgan",
            Loss::Hinge => "hinge",
            Loss::Wgan => "wgan",
            Loss::WganGp => "wgan-gp",
        }
    }

    /// Whether the loss has targets that label smoothing can soften.
    pub fn has_targets(self) -> bool {
        matches!(self, Loss::Standard | Loss::Lsgan)
    }

    /// Whether the discriminator is a Wasserstein critic (unbounded scores, no targets).
    pub fn is_wasserstein(self) -> bool {
        matches!(self, Loss::Wgan | Loss::WganGp)
    }

    /// The generator's loss on the discriminator's outputs for generated images. With
    /// `saturating` (standard loss only), the original minimax form `log(1 - D(G(z)))`
    /// instead of the non-saturating `-log D(G(z))`.
    pub fn generator(self, fake: Tensor<2>, saturating: bool) -> Tensor<1> {
        match self {
            Loss::Standard if saturating => softplus(fake, 1.0).mean().neg(),
            Loss::Standard => bce_with_logits(fake, true),
            Loss::Lsgan => fake.sub_scalar(1.0).powi_scalar(2).mean().mul_scalar(0.5),
            Loss::Hinge | Loss::Wgan | Loss::WganGp => fake.mean().neg(),
        }
    }

    /// The statistic reported as D(x) or D(G(z)) for a batch of outputs: the mean probability
    /// for the standard loss, the mean raw output otherwise.
    pub fn reported(self, outputs: Tensor<2>) -> Tensor<1> {
        match self {
            Loss::Standard => sigmoid(outputs).mean(),
            _ => outputs.mean(),
        }
    }
}

/// WGAN-GP's penalty without its weight: the batch mean of `(‖g‖₂ - 1)²` over each sample's
/// input gradient `g` (`[batch, channels, height, width]`, the norm over all its values).
pub fn gradient_penalty(gradients: Tensor<4>) -> Tensor<1> {
    let [b, c, h, w] = gradients.dims();
    // The small constant keeps the square root differentiable at a zero gradient.
    let norms = gradients
        .reshape([b, c * h * w])
        .powi_scalar(2)
        .sum_dim(1)
        .add_scalar(1e-12)
        .sqrt();
    norms.sub_scalar(1.0).powi_scalar(2).mean()
}

/// Mean sigmoid cross-entropy of logits against an all-real or all-fake target, computed
/// stably: `softplus(-x)` for real, `softplus(x)` for fake. For the generator (target real)
/// this is the non-saturating loss `-log D(G(z))`.
pub fn bce_with_logits(logits: Tensor<2>, real: bool) -> Tensor<1> {
    let x = if real { logits.neg() } else { logits };
    softplus(x, 1.0).mean()
}
