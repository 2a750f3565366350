//! The simulation's only source of randomness.
//!
//! A run owns one seed. Each subsystem draws from its own sub-stream, derived from the seed and a
//! fixed stream id, so an extra draw in one subsystem never shifts the draws of another.
//! The generator is SplitMix64: tiny, fast, statistically good enough for a simulator, and fully
//! specified here so no upstream algorithm change can alter a recorded run.

/// Identifies an independent stream of random numbers within one run.
///
/// The numeric values are part of the determinism contract: changing one changes every run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    /// Request volume noise.
    Traffic = 1,
    /// Which requests fail.
    Errors = 2,
    /// Request latency samples.
    Latency = 3,
    /// Instance start-up jitter.
    Startup = 4,
    /// Which users a request comes from.
    Users = 5,
    /// Swarm-test world generation.
    Swarm = 7,
    /// A quiet minute's request volume.
    MinuteTraffic = 8,
    /// How many of a quiet minute's requests fail.
    MinuteErrors = 9,
    /// Where in a quiet minute each failed request falls.
    MinuteErrorPlacement = 10,
    /// A quiet minute's latency jitter.
    MinuteLatency = 11,
    /// Which users a quiet minute's failed requests come from.
    MinuteUsers = 12,
    /// Workflow job durations and flaky failures.
    Pipeline = 13,
}

/// A counter-based draw: 64 random bits that depend only on the seed, the stream and two keys
/// (typically an entity id and a simulated second).
///
/// Unlike a sequential generator, any second's draw can be computed on its own, so skipping or
/// batching seconds can never shift the randomness of the seconds after them.
pub fn keyed_u64(seed: u64, stream: Stream, key_a: u64, key_b: u64) -> u64 {
    let stream_salt = mix64((stream as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let first = mix64(seed ^ stream_salt);
    let second = mix64(first ^ key_a.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    mix64(second ^ key_b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
}

/// An approximately standard normal deviate from 64 random bits: the Irwin-Hall sum of four
/// 16-bit uniforms, rescaled. Cheap, bounded to ±3.46 and identical on every target.
pub fn approx_normal(bits: u64) -> f64 {
    let sum = (bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48);
    // The sum of four uniforms on [0, 1) has mean 2 and variance 1/3.
    let uniform_sum = sum as f64 / 65_536.0;
    (uniform_sum - 2.0) * 1.732_050_807_568_877_2
}

/// A uniform float in `[0, 1)` from 64 random bits.
pub fn unit_from(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Remembers `(1 − p)^n` for the binomial draw's exact path. A quiet minute of a service asks for
/// the same probability and a request count seen many times before, and `libm::pow` was the
/// largest single cost of planning one. Direct-mapped: a slot holds the last key that hashed to
/// it, and the stored key is compared whole, so a hit returns exactly what `pow` returned.
#[derive(Clone, Debug, Default)]
pub struct PowerMemo {
    /// (probability's bits, trials, `(1 − p)^trials`); empty until first used.
    slots: Vec<(u64, u32, f64)>,
}

impl PowerMemo {
    const SLOTS: u32 = 4_096;

    fn complement_power(&mut self, probability: f64, trials: u32) -> f64 {
        if self.slots.is_empty() {
            // No probability has the bits of NaN, so an unused slot never matches.
            self.slots = vec![(f64::NAN.to_bits(), 0, 0.0); Self::SLOTS as usize];
        }
        let key = probability.to_bits();
        let index = (trials ^ (key >> 32) as u32 ^ key as u32) % Self::SLOTS;
        let slot = &mut self.slots[index as usize];
        if slot.0 != key || slot.1 != trials {
            *slot = (key, trials, libm::pow(1.0 - probability, f64::from(trials)));
        }
        slot.2
    }
}

/// Two memos are equal whatever they remember: a memo is a cache, not part of a run's state.
impl PartialEq for PowerMemo {
    fn eq(&self, _other: &PowerMemo) -> bool {
        true
    }
}

/// The number of successes in `trials` trials of probability `probability` from one keyed draw:
/// exact (inverse transform) for small expectations, a normal approximation with stochastic
/// rounding above ten, always within `0..=trials`. `memo` keeps the exact path's power term, so
/// a probability and trial count seen before cost no `pow`; the answer is the same either way.
pub fn approx_binomial(trials: u32, probability: f64, bits: u64, memo: &mut PowerMemo) -> u32 {
    if trials == 0 || probability <= 0.0 {
        return 0;
    }
    if probability >= 1.0 {
        return trials;
    }
    let n = f64::from(trials);
    let mean = n * probability;
    if mean < 10.0 {
        // Exact inverse transform: walk the binomial CDF until it passes a uniform draw.
        let target = unit_from(bits);
        // Bernoulli's inequality: (1 − p)^n ≥ 1 − np, so a draw below 1 − np is certainly zero
        // successes; most seconds end here without computing the power.
        if target < 1.0 - mean {
            return 0;
        }
        let odds = probability / (1.0 - probability);
        let mut mass = memo.complement_power(probability, trials);
        let mut cumulative = mass;
        let mut successes = 0u32;
        while cumulative <= target && successes < trials {
            mass *= f64::from(trials - successes) / f64::from(successes + 1) * odds;
            successes += 1;
            cumulative += mass;
        }
        return successes;
    }
    // IEEE 754 requires a correctly rounded square root, so the processor's instruction gives
    // the same bits on every target; libm's portable one is a slow loop on wasm32.
    let deviation = (mean * (1.0 - probability)).sqrt();
    let draw = mean + deviation * approx_normal(bits);
    // Stochastic rounding keeps the expectation exact.
    let fraction = unit_from(bits.rotate_left(29));
    let whole = crate::rounding::floor(draw);
    let rounded = if draw - whole > fraction {
        whole + 1.0
    } else {
        whole
    };
    rounded.clamp(0.0, n) as u32
}

/// `value % divisor` for one divisor used many times, without a division: Lemire, Kaser and
/// Kurz's direct remainder ("Faster Remainder by Direct Computation", 2019), exact for every
/// 64-bit value. Drawing a user for each failed request divides a 64-bit hash by the population,
/// and a 64-bit division was the costliest instruction of a busy second.
#[derive(Clone, Copy, Debug)]
pub struct Remainder {
    divisor: u64,
    /// ⌈2¹²⁸ / divisor⌉, or 0 for a divisor of 1.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    magic: u128,
}

impl Remainder {
    /// Remainders by `divisor`, which must be positive.
    pub fn new(divisor: u64) -> Remainder {
        assert!(divisor > 0, "Remainder needs a positive divisor");
        let magic = if divisor == 1 {
            0
        } else {
            u128::MAX / u128::from(divisor) + 1
        };
        Remainder { divisor, magic }
    }

    /// `value % divisor`.
    #[cfg(target_arch = "wasm32")]
    pub fn of(&self, value: u64) -> u64 {
        // wasm32 has no 64×64→128 multiply: the three the direct computation needs become calls,
        // slower than the engine's own 64-bit remainder (measured with scripts/bench-wasm.mjs).
        value % self.divisor
    }

    /// `value % divisor`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn of(&self, value: u64) -> u64 {
        // The fraction value / divisor, in 128 fixed-point bits, times the divisor: the integer
        // part of that product is the remainder.
        let fraction = self.magic.wrapping_mul(u128::from(value));
        let low = (fraction as u64 as u128 * u128::from(self.divisor)) >> 64;
        let high = (fraction >> 64) * u128::from(self.divisor);
        ((low + high) >> 64) as u64
    }
}

/// A seeded pseudo-random generator (SplitMix64).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prng {
    state: u64,
}

impl Prng {
    /// A generator whose whole output is fixed by `seed`.
    pub fn from_seed(seed: u64) -> Prng {
        Prng { state: seed }
    }

    /// The sub-stream `stream` of the run seeded with `seed`.
    pub fn substream(seed: u64, stream: Stream) -> Prng {
        // Mixing the stream id through the finaliser keeps nearby ids far apart in state space.
        let stream_salt = mix64((stream as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        Prng::from_seed(mix64(seed ^ stream_salt))
    }

    /// The next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// A uniform integer in `0..bound`; `bound` must be positive.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Prng::below needs a positive bound");
        // Lemire's multiply-shift with rejection: unbiased. The rejection threshold
        // (2⁶⁴ mod bound) is below `bound`, so a low half at or above `bound` is accepted without
        // computing it, and the division is made only in the rare case it could matter.
        loop {
            let (high, low) = widening_mul(self.next_u64(), bound);
            if low >= bound || low >= bound.wrapping_neg() % bound {
                return high;
            }
        }
    }

    /// True with probability `numerator / denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        assert!(denominator > 0, "Prng::chance needs a positive denominator");
        self.below(denominator) < numerator
    }
}

/// Uniform integers below a 32-bit bound, two from each 64-bit draw of a [`Prng`]: the users a
/// planned minute's failed requests come from. A 32-bit bound needs only a 32×32→64 multiply,
/// one instruction on every target, where a 64-bit one needs a 128-bit product (four
/// multiplies on wasm32).
#[derive(Clone, Debug)]
pub struct HalfDraws {
    rng: Prng,
    /// The high half of the last 64-bit draw, not yet used.
    spare: Option<u32>,
}

impl HalfDraws {
    /// Draws from `rng`, low half first.
    pub fn new(rng: Prng) -> HalfDraws {
        HalfDraws { rng, spare: None }
    }

    /// A uniform integer in `0..bound`; `bound` must be positive.
    pub fn below(&mut self, bound: u32) -> u32 {
        assert!(bound > 0, "HalfDraws::below needs a positive bound");
        // Lemire's multiply-shift with rejection, in 32 bits, as `Prng::below` does in 64.
        loop {
            let product = u64::from(self.next_u32()) * u64::from(bound);
            let low = product as u32;
            if low >= bound || low >= bound.wrapping_neg() % bound {
                return (product >> 32) as u32;
            }
        }
    }

    fn next_u32(&mut self) -> u32 {
        match self.spare.take() {
            Some(high) => high,
            None => {
                let draw = self.rng.next_u64();
                self.spare = Some((draw >> 32) as u32);
                draw as u32
            }
        }
    }
}

/// The 128-bit product of `a` and `b` as (high, low) halves.
#[cfg(not(target_arch = "wasm32"))]
fn widening_mul(a: u64, b: u64) -> (u64, u64) {
    let product = u128::from(a) * u128::from(b);
    ((product >> 64) as u64, product as u64)
}

/// The 128-bit product of `a` and `b` as (high, low) halves. wasm32 has no 64×64→128 multiply
/// and makes a 128-bit one a call to `__multi3`; four 32-bit products inline are cheaper.
#[cfg(target_arch = "wasm32")]
fn widening_mul(a: u64, b: u64) -> (u64, u64) {
    widening_mul_by_halves(a, b)
}

/// The 128-bit product of `a` and `b` from four 32×32→64 products (schoolbook).
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
fn widening_mul_by_halves(a: u64, b: u64) -> (u64, u64) {
    let (a_high, a_low) = (a >> 32, a & 0xFFFF_FFFF);
    let (b_high, b_low) = (b >> 32, b & 0xFFFF_FFFF);
    let low_low = a_low * b_low;
    let high_low = a_high * b_low;
    let low_high = a_low * b_high;
    let high_high = a_high * b_high;
    // The middle column with the carry out of the low word; it cannot overflow 64 bits.
    let middle = (low_low >> 32) + (high_low & 0xFFFF_FFFF) + (low_high & 0xFFFF_FFFF);
    let low = (middle << 32) | (low_low & 0xFFFF_FFFF);
    let high = high_high + (high_low >> 32) + (low_high >> 32) + (middle >> 32);
    (high, low)
}

/// The SplitMix64 finaliser: a bijective 64-bit mixer.
fn mix64(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_square_root_instruction_agrees_with_libm() {
        // Both are correctly rounded, as IEEE 754 requires; this checks the claim on the target
        // the tests run on (CI runs them natively and the wasm build uses the same operation).
        let seed = 29;
        let mut prng = Prng::from_seed(seed);
        for _ in 0..100_000 {
            let value = f64::from_bits(prng.next_u64() >> 1);
            let scaled = unit_from(prng.next_u64()) * 1e9;
            for x in [value, scaled] {
                assert_eq!(
                    x.sqrt().to_bits(),
                    libm::sqrt(x).to_bits(),
                    "sqrt {x:e} (seed {seed})"
                );
            }
        }
    }

    /// Pins the generator: if these change, every recorded run and golden digest changes too.
    #[test]
    fn known_answers_for_seed_zero() {
        let mut prng = Prng::from_seed(0);
        let first: Vec<u64> = (0..4).map(|_| prng.next_u64()).collect();
        // The published SplitMix64 reference outputs for seed 0.
        assert_eq!(
            first,
            vec![
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F,
                0xF88B_B8A8_724C_81EC
            ]
        );
    }

    #[test]
    fn substreams_are_independent_of_each_other() {
        let mut traffic = Prng::substream(7, Stream::Traffic);
        let mut errors = Prng::substream(7, Stream::Errors);
        let errors_first = errors.next_u64();
        // Extra draws on the traffic stream leave the errors stream untouched.
        for _ in 0..100 {
            traffic.next_u64();
        }
        let mut errors_again = Prng::substream(7, Stream::Errors);
        assert_eq!(errors_again.next_u64(), errors_first);
        assert_ne!(Prng::substream(7, Stream::Traffic).next_u64(), errors_first);
    }

    #[test]
    fn keyed_draws_depend_on_every_key() {
        let base = keyed_u64(1, Stream::Traffic, 2, 3);
        assert_eq!(
            base,
            keyed_u64(1, Stream::Traffic, 2, 3),
            "pure function of its inputs"
        );
        for other in [
            keyed_u64(2, Stream::Traffic, 2, 3),
            keyed_u64(1, Stream::Errors, 2, 3),
            keyed_u64(1, Stream::Traffic, 3, 3),
            keyed_u64(1, Stream::Traffic, 2, 4),
            keyed_u64(1, Stream::Traffic, 3, 2),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn approx_normal_has_unit_variance() {
        let draws: Vec<f64> = (0..20_000u64)
            .map(|i| approx_normal(keyed_u64(5, Stream::Latency, i, 0)))
            .collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let variance =
            draws.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean} (seed 5)");
        assert!(
            (variance - 1.0).abs() < 0.05,
            "variance {variance} (seed 5)"
        );
    }

    #[test]
    fn approx_binomial_keeps_its_expectation() {
        // (trials, probability): small expectations must not round to zero.
        let mut memo = PowerMemo::default();
        for (trials, probability) in [(1_000u32, 0.004f64), (50, 0.15), (200, 0.5), (10, 0.01)] {
            let runs = 20_000u64;
            let total: u64 = (0..runs)
                .map(|i| {
                    u64::from(approx_binomial(
                        trials,
                        probability,
                        keyed_u64(9, Stream::Errors, i, 1),
                        &mut memo,
                    ))
                })
                .sum();
            let expected = f64::from(trials) * probability * runs as f64;
            let relative_error = (total as f64 - expected).abs() / expected;
            assert!(
                relative_error < 0.03,
                "binomial({trials}, {probability}) mean off by {relative_error} (seed 9)"
            );
        }
        assert_eq!(approx_binomial(100, 1.0, 7, &mut memo), 100);
        assert_eq!(approx_binomial(100, 0.0, 7, &mut memo), 0);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut prng = Prng::from_seed(42);
        let mut seen = [0u32; 6];
        for _ in 0..6_000 {
            let value = prng.below(6);
            seen[value as usize] += 1;
        }
        for (face, count) in seen.iter().enumerate() {
            assert!(
                (800..1200).contains(count),
                "face {face} drawn {count} times out of 6000 (seed 42)"
            );
        }
    }

    #[test]
    fn half_draws_use_both_halves_and_stay_uniform() {
        // The first two draws are the halves of the generator's first 64 bits, low one first.
        let first = Prng::from_seed(7).next_u64();
        let mut halves = HalfDraws::new(Prng::from_seed(7));
        let full = 1u32 << 31;
        assert_eq!(
            halves.below(full),
            ((first as u32 as u64 * 2_u64.pow(31)) >> 32) as u32
        );
        assert_eq!(
            halves.below(full),
            (((first >> 32) * 2_u64.pow(31)) >> 32) as u32
        );
        // A bound just past 2³¹ rejects almost half the draws; every answer stays below it.
        let awkward = (1u32 << 31) + 1;
        assert!((0..10_000).all(|_| halves.below(awkward) < awkward));
        let mut seen = [0u32; 20];
        for _ in 0..20_000 {
            seen[halves.below(20) as usize] += 1;
        }
        for (value, count) in seen.iter().enumerate() {
            assert!(
                (850..1150).contains(count),
                "{value} drawn {count} times out of 20,000 (seed 7)"
            );
        }
        assert!((0..1_000).all(|_| halves.below(1) == 0));
    }

    #[test]
    fn the_memo_draws_exactly_what_pow_draws() {
        // Many probabilities and trial counts share slots, so slots are overwritten and reused;
        // every draw must still match the draw without a memo, bit for bit.
        let mut memo = PowerMemo::default();
        let mut keys = Prng::from_seed(3);
        for round in 0..20_000u64 {
            let trials = keys.below(6_000) as u32;
            let probability = [0.004, 0.003, 0.15, 0.0005, 1e-6][(round % 5) as usize];
            let bits = keys.next_u64();
            assert_eq!(
                approx_binomial(trials, probability, bits, &mut memo),
                // A fresh memo has never seen this key, so it computes `pow`: the draw without
                // remembering.
                approx_binomial(trials, probability, bits, &mut PowerMemo::default()),
                "{trials} trials at {probability}, bits {bits:#x} (seed 3, round {round})"
            );
            assert_eq!(
                memo.complement_power(probability, trials).to_bits(),
                libm::pow(1.0 - probability, f64::from(trials)).to_bits()
            );
        }
    }

    #[test]
    fn remainders_match_the_division() {
        let mut values = Prng::from_seed(9);
        for divisor in [
            1u64,
            2,
            3,
            7,
            50,
            64,
            20_000,
            1 << 31,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let remainder = Remainder::new(divisor);
            let edges = [
                0,
                1,
                divisor - 1,
                divisor,
                divisor.wrapping_add(1),
                u64::MAX - 1,
                u64::MAX,
            ];
            for value in edges
                .into_iter()
                .chain((0..20_000).map(|_| values.next_u64()))
            {
                assert_eq!(
                    remainder.of(value),
                    value % divisor,
                    "{value} % {divisor} (seed 9)"
                );
            }
        }
    }

    #[test]
    fn products_by_halves_match_the_128_bit_product() {
        let mut values = Prng::from_seed(17);
        let edges = [0, 1, 2, 0xFFFF_FFFF, 0x1_0000_0000, u64::MAX - 1, u64::MAX];
        let pairs = edges
            .iter()
            .flat_map(|a| edges.iter().map(move |b| (*a, *b)))
            .chain((0..50_000).map(|_| (values.next_u64(), values.next_u64())));
        for (a, b) in pairs {
            let product = u128::from(a) * u128::from(b);
            assert_eq!(
                widening_mul_by_halves(a, b),
                ((product >> 64) as u64, product as u64),
                "{a} × {b} (seed 17)"
            );
        }
    }
}
