//! Feature-flag percentage rollouts as the flag services bucket users: the same user keeps the
//! same answer as the percentage rises, because the bucket is a hash of the flag and the user.
//!
//! - Unleash `flexibleRollout`: `normalizedValue = murmurhash3_x86_32("groupId:userId", 0) % 100
//!   + 1`, enabled when it is at most `rollout` (client-specification 10).
//! - LaunchDarkly: the first 15 hex digits of SHA-1 of `flagKey.salt.contextKey`, divided by
//!   `0xFFFFFFFFFFFFFFF`, is the user's bucket in [0, 1); weights are in thousandths of a
//!   percent (100,000 is 100 %).

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

/// Which service's bucketing a flag rollout follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlagProvider {
    /// Unleash's `flexibleRollout` with `userId` stickiness.
    Unleash,
    /// LaunchDarkly's percentage rollout by context key.
    LaunchDarkly,
}

/// MurmurHash3, x86 32-bit variant.
pub fn murmur3_x86_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut hash = seed;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        hash ^= k;
        hash = hash
            .rotate_left(13)
            .wrapping_mul(5)
            .wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (index, byte) in tail.iter().enumerate() {
            k |= u32::from(*byte) << (8 * index);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        hash ^= k;
    }
    hash ^= data.len() as u32;
    hash ^= hash >> 16;
    hash = hash.wrapping_mul(0x85eb_ca6b);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(0xc2b2_ae35);
    hash ^ (hash >> 16)
}

/// Unleash's `normalizedValue` (1 to 100) for `id` in the rollout group `group_id`.
pub fn unleash_normalized_value(group_id: &str, id: &str) -> u32 {
    murmur3_x86_32(format!("{group_id}:{id}").as_bytes(), 0) % 100 + 1
}

/// True when Unleash's `flexibleRollout` at `rollout` percent enables `id`.
pub fn unleash_enabled(rollout_percent: u32, group_id: &str, id: &str) -> bool {
    rollout_percent > 0 && unleash_normalized_value(group_id, id) <= rollout_percent
}

/// LaunchDarkly's bucket in [0, 1) for `context_key` under `flag_key` and `salt`.
pub fn launchdarkly_bucket(flag_key: &str, salt: &str, context_key: &str) -> f64 {
    let digest = Sha1::digest(format!("{flag_key}.{salt}.{context_key}").as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    let value = u64::from_str_radix(&hex[..15], 16).unwrap_or(0);
    value as f64 / 0xFFF_FFFF_FFFF_FFFF_u64 as f64
}

/// True when a LaunchDarkly rollout giving `weight_thousandths` (of 100,000) to the new
/// variation puts `context_key` in it.
pub fn launchdarkly_enabled(
    weight_thousandths: u32,
    flag_key: &str,
    salt: &str,
    context_key: &str,
) -> bool {
    launchdarkly_bucket(flag_key, salt, context_key) < f64::from(weight_thousandths) / 100_000.0
}

/// True when `provider` enables user `user_id` at `percent` for flag `flag_key`.
pub fn user_enabled(provider: FlagProvider, flag_key: &str, percent: u32, user_id: u32) -> bool {
    let id = user_id.to_string();
    match provider {
        FlagProvider::Unleash => unleash_enabled(percent, flag_key, &id),
        FlagProvider::LaunchDarkly => {
            launchdarkly_enabled(percent * 1_000, flag_key, flag_key, &id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values of MurmurHash3 x86_32 (SMHasher's verification vectors).
    #[test]
    fn murmur3_matches_the_reference() {
        assert_eq!(murmur3_x86_32(b"", 0), 0);
        assert_eq!(murmur3_x86_32(b"", 1), 0x514E_28B7);
        assert_eq!(murmur3_x86_32(b"hello", 0), 0x248B_FA47);
        assert_eq!(
            murmur3_x86_32(b"The quick brown fox jumps over the lazy dog", 0),
            0x2E4F_F723
        );
    }

    /// Unleash client-specification `10-flexible-rollout-strategy.json`.
    #[test]
    fn unleash_flexible_rollout_specification() {
        assert!(unleash_enabled(10, "Feature.flexibleRollout.10", "174"));
        assert!(!unleash_enabled(10, "Feature.flexibleRollout.10", "499"));
        assert!(unleash_enabled(
            55,
            "Feature.flexibleRollout.userId.55",
            "25"
        ));
        assert!(unleash_enabled(
            42,
            "Feature.flexibleRollout.sessionId.42",
            "147"
        ));
        assert!(unleash_enabled(
            100,
            "Feature.flexibleRollout.100",
            "anyone"
        ));
    }

    /// LaunchDarkly SDKs' `bucketUser` test values (flag `hashKey`, salt `saltyA`).
    #[test]
    fn launchdarkly_buckets() {
        for (key, expected) in [
            ("userKeyA", 0.421_575_87),
            ("userKeyB", 0.670_848_5),
            ("userKeyC", 0.103_431_06),
        ] {
            let bucket = launchdarkly_bucket("hashKey", "saltyA", key);
            assert!((bucket - expected).abs() < 1e-7, "{key}: {bucket}");
        }
    }

    #[test]
    fn raising_the_percentage_only_adds_users() {
        for provider in [FlagProvider::Unleash, FlagProvider::LaunchDarkly] {
            let enabled_at = |percent| -> Vec<u32> {
                (0..2_000)
                    .filter(|u| user_enabled(provider, "new-checkout", percent, *u))
                    .collect()
            };
            let (ten, fifty) = (enabled_at(10), enabled_at(50));
            assert!(
                ten.iter().all(|u| fifty.contains(u)),
                "{provider:?}: sticky"
            );
            assert!(
                (150..250).contains(&ten.len()),
                "{provider:?}: about 10 % of 2,000: {}",
                ten.len()
            );
            assert!(
                (900..1_100).contains(&fifty.len()),
                "{provider:?}: {}",
                fifty.len()
            );
        }
    }
}
