//! Rounding to the nearest integer, halves away from zero, exactly as `f64::round` followed by a
//! saturating `as` cast, but without calling `round`; and `ceil` and `floor` the same way.
//!
//! `f64::round` is not one instruction on the targets we build for (x86-64 without SSE4.1 and
//! wasm32 both call a library routine), and the simulation rounds several times per service per
//! simulated second or minute. Adding the largest double below one half and truncating gives the
//! same integer for every input, because the cast truncates toward zero and saturates:
//! - below 2⁵² the sum is within half an ulp of the exact sum, which lies strictly between the
//!   two integers that decide the result, so it truncates to `round(x)`; an exact half goes up
//!   because `n + 1 − 2⁻⁵⁴` rounds to `n + 1` (ties to even), and one ulp below a half cannot
//!   reach the next integer;
//! - from 2⁵² every double is an integer and adding less than a half leaves it unchanged;
//! - NaN casts to zero either way, and negative values round to at most zero, which the
//!   unsigned casts saturate to zero either way.
//!
//! `tests` checks this against `f64::round` at every halfway point and its neighbours, and over
//! random values of every magnitude.

/// The largest double below one half: `0.5 − 2⁻⁵⁴`.
const JUST_BELOW_HALF: f64 = 0.5 - f64::EPSILON / 4.0;

/// `value.round() as u32`.
pub fn round_to_u32(value: f64) -> u32 {
    (value + JUST_BELOW_HALF) as u32
}

/// `value.round() as u64`.
pub fn round_to_u64(value: f64) -> u64 {
    (value + JUST_BELOW_HALF) as u64
}

/// `value.round() as i32`.
pub fn round_to_i32(value: f64) -> i32 {
    (value + JUST_BELOW_HALF.copysign(value)) as i32
}

/// `value.ceil() as u32`: the saturating cast truncates, and a value above its truncation goes
/// up by one (NaN and negative values give zero either way).
pub fn ceil_to_u32(value: f64) -> u32 {
    let truncated = value as u32;
    if f64::from(truncated) < value && truncated < u32::MAX {
        truncated + 1
    } else {
        truncated
    }
}

/// `value.floor()`: below 2⁵² a value truncates exactly through `i64`, and one above its
/// truncation (a negative fraction) goes down by one; from 2⁵² every double is whole already.
/// The sign is copied back so that `-0.0` stays `-0.0`.
pub fn floor(value: f64) -> f64 {
    if value.abs() < TWO_TO_THE_52 {
        let truncated = value as i64 as f64;
        if truncated > value {
            truncated - 1.0
        } else {
            truncated.copysign(value)
        }
    } else {
        value
    }
}

/// 2⁵², from which every double is a whole number.
const TWO_TO_THE_52: f64 = 4_503_599_627_370_496.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f64) {
        assert_eq!(ceil_to_u32(value), value.ceil() as u32, "ceil of {value:e}");
        let floored = floor(value);
        assert!(
            floored.to_bits() == value.floor().to_bits() || value.is_nan() && floored.is_nan(),
            "floor of {value:e}: {floored:e}"
        );
        assert_eq!(
            round_to_u32(value),
            value.round() as u32,
            "u32 of {value:e}"
        );
        assert_eq!(
            round_to_u64(value),
            value.round() as u64,
            "u64 of {value:e}"
        );
        assert_eq!(
            round_to_i32(value),
            value.round() as i32,
            "i32 of {value:e}"
        );
    }

    #[test]
    fn the_constant_is_the_double_just_below_a_half() {
        assert_eq!(JUST_BELOW_HALF, 0.5f64.next_down());
    }

    #[test]
    fn halves_and_their_neighbours_round_as_f64_round_does() {
        let mut values = vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        values.extend([f64::MIN_POSITIVE, f64::MAX, f64::MIN, 4_294_967_295.5]);
        let powers_of_two = (0..70u64).map(|k| f64::from_bits((1_023 + k) << 52));
        for whole in powers_of_two.chain((0..2_000).map(f64::from)) {
            for base in [whole, whole - 1.0, whole + 1.0] {
                let half = base + 0.5;
                values.extend([base, half, half.next_up(), half.next_down()]);
                values.extend([base.next_up(), base.next_down()]);
            }
        }
        for value in values {
            check(value);
            check(-value);
        }
    }

    #[test]
    fn random_values_of_every_magnitude_round_as_f64_round_does() {
        let seed = 2026;
        // A Weyl sequence through a 64-bit mixer (SplitMix64's finaliser): the engine's own
        // generator would make this module import `prng`, which imports it.
        let mut state: u64 = seed;
        let mut next_u64 = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for _ in 0..200_000 {
            // Any bit pattern: every exponent, both signs, NaNs and infinities included.
            let value = f64::from_bits(next_u64());
            check(value);
            // Values in the simulation's range, where the fractions matter.
            let scaled = (next_u64() >> 11) as f64 / (1u64 << 20) as f64;
            check(scaled);
            check(-scaled);
        }
        println!("seed {seed}; reproduce with cargo test -p engine rounding");
    }
}
