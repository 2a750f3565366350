//! How a service's requests are split between versions.
//!
//! Rules apply in order, as a service mesh evaluates routes: requests carrying a header or
//! cookie go to its version; then requests from users whose sticky bucket is under a
//! percentage go to theirs (a feature-flag or user-bucketed canary); the rest split by weight
//! (which also expresses a blue/green pool: 100 % on the active colour).

use serde::{Deserialize, Serialize};

use crate::prng::{Stream, keyed_u64};
use crate::version::VersionId;

/// Buckets users are hashed into; a percentage of users is a bucket prefix.
pub const USER_BUCKETS: u32 = 10_000;

/// A route for requests that carry a header or cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderRoute {
    /// The header or cookie, for example `x-canary: true`.
    pub matcher: String,
    /// Share of requests that carry it, in basis points.
    pub share_bp: u32,
    /// Where they go.
    pub version: VersionId,
}

/// A sticky per-user route: users whose bucket is below `percent_bp` go to `version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserBucketRoute {
    /// Percentage of users, in basis points.
    pub percent_bp: u32,
    /// Where they go.
    pub version: VersionId,
    /// Salt of the bucketing hash (a flag's key), so different flags bucket users differently.
    pub salt: u64,
}

/// A service's routing rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    /// Header or cookie routes, first match wins.
    pub header_routes: Vec<HeaderRoute>,
    /// A sticky user-bucket route.
    pub user_buckets: Option<UserBucketRoute>,
    /// Weights in percent for everything else; they sum to 100.
    pub weights: Vec<(VersionId, u32)>,
}

impl Routing {
    /// Everything to one version.
    pub fn single(version: VersionId) -> Routing {
        Routing {
            header_routes: Vec::new(),
            user_buckets: None,
            weights: vec![(version, 100)],
        }
    }

    /// Splits `requests` among versions. Shares are computed in integer arithmetic, so they
    /// always sum to `requests`; rounding leftovers go to the last weighted version.
    pub fn split(&self, requests: u32) -> Vec<(VersionId, u32)> {
        let mut shares = Vec::new();
        self.split_into(requests, &mut shares);
        shares
    }

    /// As [`Routing::split`], into a buffer the caller reuses (it is cleared first).
    pub fn split_into(&self, requests: u32, shares: &mut Vec<(VersionId, u32)>) {
        shares.clear();
        if self.header_routes.is_empty() && self.user_buckets.is_none() && self.weights.len() == 1 {
            shares.push((self.weights[0].0, requests));
            return;
        }
        let add = |version: VersionId, count: u32, shares: &mut Vec<(VersionId, u32)>| {
            if let Some(entry) = shares.iter_mut().find(|(v, _)| *v == version) {
                entry.1 += count;
            } else {
                shares.push((version, count));
            }
        };
        let mut remaining = requests;
        for route in &self.header_routes {
            let matched =
                (u64::from(remaining) * u64::from(route.share_bp.min(10_000)) / 10_000) as u32;
            add(route.version, matched, shares);
            remaining -= matched;
        }
        if let Some(route) = &self.user_buckets {
            // Users are uniform over buckets, so a bucket prefix carries its share of requests.
            let matched =
                (u64::from(remaining) * u64::from(route.percent_bp.min(10_000)) / 10_000) as u32;
            add(route.version, matched, shares);
            remaining -= matched;
        }
        let total_weight: u32 = self.weights.iter().map(|(_, w)| *w).sum::<u32>().max(1);
        let mut assigned = 0u32;
        for (index, (version, weight)) in self.weights.iter().enumerate() {
            let count = if index + 1 == self.weights.len() {
                remaining - assigned
            } else {
                ((u64::from(remaining) * u64::from(*weight) + u64::from(total_weight) / 2)
                    / u64::from(total_weight)) as u32
            };
            let count = count.min(remaining - assigned);
            assigned += count;
            add(*version, count, shares);
        }
    }
}

/// The sticky bucket of `user_id` under a flag salted with `salt`: the same user always lands in
/// the same bucket, so raising a percentage only ever adds users.
pub fn user_bucket(seed: u64, salt: u64, user_id: u32) -> u32 {
    (keyed_u64(seed, Stream::Users, salt, u64::from(user_id)) % u64::from(USER_BUCKETS)) as u32
}

/// True when `user_id` is inside a `percent_bp` rollout of the flag salted with `salt`.
pub fn user_in_rollout(seed: u64, salt: u64, user_id: u32, percent_bp: u32) -> bool {
    user_bucket(seed, salt, user_id) < percent_bp.min(USER_BUCKETS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: VersionId = VersionId(0);
    const V2: VersionId = VersionId(1);

    #[test]
    fn weights_split_exactly() {
        let routing = Routing {
            header_routes: Vec::new(),
            user_buckets: None,
            weights: vec![(V1, 90), (V2, 10)],
        };
        // (requests, expected v1, expected v2): shares always sum to the requests.
        for (requests, v1, v2) in [
            (200u32, 180u32, 20u32),
            (7, 6, 1),
            (0, 0, 0),
            (1_001, 901, 100),
        ] {
            assert_eq!(
                routing.split(requests),
                vec![(V1, v1), (V2, v2)],
                "{requests} requests"
            );
        }
    }

    #[test]
    fn header_routes_go_first_then_buckets_then_weights() {
        let routing = Routing {
            header_routes: vec![HeaderRoute {
                matcher: "x-canary: true".to_string(),
                share_bp: 500,
                version: V2,
            }],
            user_buckets: Some(UserBucketRoute {
                percent_bp: 1_000,
                version: V2,
                salt: 1,
            }),
            weights: vec![(V1, 100)],
        };
        // 5 % by header (50), then 10 % of the remaining 950 by bucket (95), the rest to v1.
        assert_eq!(routing.split(1_000), vec![(V2, 145), (V1, 855)]);
    }

    #[test]
    fn user_buckets_are_sticky_as_the_percentage_rises() {
        let seed = 3;
        let users: Vec<u32> = (0..20_000).collect();
        let inside = |percent_bp| {
            users
                .iter()
                .filter(|u| user_in_rollout(seed, 7, **u, percent_bp))
                .copied()
                .collect::<Vec<u32>>()
        };
        let at_10 = inside(1_000);
        let at_25 = inside(2_500);
        assert!(
            at_10.iter().all(|u| at_25.contains(u)),
            "nobody who had the feature at 10 % loses it at 25 % (seed {seed})"
        );
        let share = at_25.len() as f64 / users.len() as f64;
        assert!(
            (0.24..0.26).contains(&share),
            "25 % of users inside, got {share} (seed {seed})"
        );
        let other_flag: Vec<u32> = users
            .iter()
            .filter(|u| user_in_rollout(seed, 8, **u, 1_000))
            .copied()
            .collect();
        assert_ne!(
            at_10, other_flag,
            "another flag's 10 % is another set of users (seed {seed})"
        );
    }
}
