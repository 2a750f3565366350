//! Argo Rollouts' canary replica arithmetic (`utils/replicaset/canary.go`).
//!
//! Without a traffic router, the canary's share of traffic is its share of pods, so the
//! controller picks the replica split that comes closest to the step's weight
//! ([`approximate_weighted_counts`]) and moves towards it within `maxSurge` and
//! `maxUnavailable` ([`basic_canary_replica_counts`]). With a traffic router the weight is exact
//! and the canary gets `ceil(weight × replicas / 100)` pods while stable stays at full size
//! ([`traffic_weight_to_replicas`]).

use super::intstr::IntOrPercent;

/// A ReplicaSet as the canary arithmetic sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplicaSetState {
    /// `spec.replicas`.
    pub spec_replicas: i32,
    /// `status.availableReplicas`.
    pub available: i32,
}

/// What the basic canary arithmetic reads from a Rollout and its ReplicaSets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicCanaryInput {
    /// `spec.replicas`.
    pub replicas: i32,
    /// The weight the current step asks for (0 after an abort, 100 once promoted).
    pub weight: i32,
    /// Surge as a count (see [`argo_surge_and_unavailable`]).
    pub max_surge: i32,
    /// Unavailability as a count.
    pub max_unavailable: i32,
    /// The canary ReplicaSet, if it exists yet.
    pub canary: Option<ReplicaSetState>,
    /// The stable ReplicaSet, when it exists and differs from the canary.
    pub stable: Option<ReplicaSetState>,
    /// `spec.replicas` summed over every other (older) ReplicaSet.
    pub older_replicas: i32,
}

/// `maxSurge` and `maxUnavailable` as Argo resolves them: any string is a percentage, surge
/// rounds up, unavailability down, and both zero makes unavailability one.
pub fn argo_surge_and_unavailable(
    max_surge: &IntOrPercent,
    max_unavailable: &IntOrPercent,
    replicas: i32,
) -> Result<(i32, i32), String> {
    let surge = max_surge.scaled_argo(i64::from(replicas), true)? as i32;
    let unavailable = max_unavailable.scaled_argo(i64::from(replicas), false)? as i32;
    if surge == 0 && unavailable == 0 {
        return Ok((0, 1));
    }
    Ok((surge, unavailable.min(replicas)))
}

/// The canary and stable pod counts whose ratio comes closest to `weight`: a canary count
/// rounded up or down, over `replicas` pods or (when surge is allowed) one more. Ties go to the
/// first option tried (rounding up, then no surge). For weights 1 to 99 neither side is left
/// at zero pods when there are two or more to share.
pub fn approximate_weighted_counts(replicas: i32, weight: i32, max_surge: i32) -> (i32, i32) {
    if replicas == 0 {
        return (0, 0);
    }
    let ceil = (replicas * weight + 99) / 100;
    let floor = replicas * weight / 100;
    let zero_allowed = weight == 100 || weight == 0 || (replicas == 1 && max_surge == 0);
    let mut options: Vec<(i32, i32)> = Vec::with_capacity(4);
    if ceil < replicas || zero_allowed {
        options.push((ceil, replicas));
    }
    if !floor_ceiling_tied(weight, replicas) && (floor != 0 || zero_allowed) {
        options.push((floor, replicas));
    }
    if max_surge > 0 {
        options.push((ceil, replicas + 1));
        if !floor_ceiling_tied(weight, replicas + 1) && (floor != 0 || zero_allowed) {
            options.push((floor, replicas + 1));
        }
    }
    let Some(&first) = options.first() else {
        return (0, replicas);
    };
    let mut best = first;
    let mut best_delta = weight_delta(weight, first.0, first.1);
    for &option in &options[1..] {
        let delta = weight_delta(weight, option.0, option.1);
        if delta < best_delta {
            best = option;
            best_delta = delta;
        }
    }
    (best.0, best.1 - best.0)
}

/// The canary and stable `spec.replicas` to set now without a traffic router
/// (`CalculateReplicaCountsForBasicCanary`): stable scales up before the canary within the
/// surge, older ReplicaSets go first, then whichever side is shrinking scales down as far as
/// `maxUnavailable` allows.
pub fn basic_canary_replica_counts(input: &BasicCanaryInput) -> (i32, i32) {
    let (mut desired_canary, mut desired_stable) =
        approximate_weighted_counts(input.replicas, input.weight, input.max_surge);
    let mut canary_count = input.canary.map_or(0, |rs| rs.spec_replicas);
    let mut stable_count = 0;
    match input.stable {
        Some(stable) => stable_count = stable.spec_replicas,
        None => {
            // No stable to share with: the new ReplicaSet goes straight to full size.
            desired_canary = input.replicas;
            desired_stable = 0;
        }
    }
    let max_allowed = input.replicas + input.max_surge;
    let current_total = input.older_replicas
        + input.canary.map_or(0, |rs| rs.spec_replicas)
        + input.stable.map_or(0, |rs| rs.spec_replicas);
    let mut scale_up = max_allowed - current_total;
    if let Some(stable) = input.stable
        && stable.spec_replicas < desired_stable
        && scale_up > 0
    {
        if stable.spec_replicas + scale_up < desired_stable {
            stable_count = stable.spec_replicas + scale_up;
            scale_up = 0;
        } else {
            stable_count = desired_stable;
            scale_up -= desired_stable - stable.spec_replicas;
        }
    }
    if let Some(canary) = input.canary
        && canary.spec_replicas < desired_canary
        && scale_up > 0
    {
        canary_count = (canary.spec_replicas + scale_up).min(desired_canary);
    }
    if input.older_replicas > 0 {
        return (canary_count, stable_count);
    }
    let min_available = input.replicas - input.max_unavailable;
    let increasing = input
        .canary
        .is_none_or(|canary| desired_canary >= canary.spec_replicas);
    let to_scale_down = replicas_for_scale_down(input.canary, !increasing)
        + replicas_for_scale_down(input.stable, increasing);
    if to_scale_down <= min_available {
        return (canary_count, stable_count);
    }
    let scale_down = to_scale_down - min_available;
    if !increasing {
        canary_count = scale_down_count(input.canary, desired_canary, scale_down, canary_count);
        (canary_count, stable_count) = adjust_within_limits(
            input.canary,
            input.stable,
            canary_count,
            stable_count,
            max_allowed,
            min_available,
        );
    } else if input.stable.is_some() {
        stable_count = scale_down_count(input.stable, desired_stable, scale_down, stable_count);
        (stable_count, canary_count) = adjust_within_limits(
            input.stable,
            input.canary,
            stable_count,
            canary_count,
            max_allowed,
            min_available,
        );
    }
    (canary_count, stable_count)
}

/// Pods for a traffic-routed canary at `weight` percent of `replicas`, rounded up.
pub fn traffic_weight_to_replicas(replicas: i32, weight: i32) -> i32 {
    (weight * replicas + 99) / 100
}

/// True when `total × weight / 100` ends in exactly one half, so rounding up and down are
/// equally close (Argo then keeps only the rounded-up option).
fn floor_ceiling_tied(weight: i32, total: i32) -> bool {
    let scaled = f64::from(total) * (f64::from(weight) / 100.0);
    scaled - scaled.trunc() == 0.5
}

/// How far `canary` pods of `total` are from the weight, in percentage points.
fn weight_delta(weight: i32, canary: i32, total: i32) -> f64 {
    let actual = f64::from(canary * 100) / f64::from(total);
    (actual - f64::from(weight)).abs()
}

/// `GetReplicasForScaleDown`: the pods of a ReplicaSet that count towards availability when
/// deciding how far to scale down (its desired count when availability is ignored).
fn replicas_for_scale_down(replica_set: Option<ReplicaSetState>, ignore_availability: bool) -> i32 {
    let Some(rs) = replica_set else {
        return 0;
    };
    if rs.spec_replicas < rs.available || ignore_availability {
        rs.spec_replicas
    } else {
        rs.available
    }
}

/// `calculateScaleDownReplicaCount`: the draining side shrinks towards its desired count.
fn scale_down_count(
    drain: Option<ReplicaSetState>,
    desired: i32,
    scale_down: i32,
    current: i32,
) -> i32 {
    match drain {
        Some(rs) if rs.spec_replicas > desired => desired.max(rs.spec_replicas - scale_down),
        _ => current,
    }
}

/// `adjustReplicaWithinLimits`: keeps the two counts within the surge and the availability
/// minimum after one side has been scaled down.
fn adjust_within_limits(
    drain: Option<ReplicaSetState>,
    adjust: Option<ReplicaSetState>,
    mut drain_count: i32,
    mut adjust_count: i32,
    max_allowed: i32,
    min_available: i32,
) -> (i32, i32) {
    let mut over_limit = (adjust_count + drain_count - max_allowed).max(0);
    let mut available = drain.map_or(0, |rs| rs.available.min(drain_count));
    if let Some(adjust) = adjust {
        adjust_count -= over_limit;
        available += adjust.available.min(adjust_count);
        let lost = (adjust.available - adjust_count).max(0);
        let still_needed = (min_available - available).max(0);
        adjust_count += lost.min(still_needed);
        over_limit = (adjust_count + drain_count - max_allowed).max(0);
        drain_count -= over_limit;
    }
    (drain_count, adjust_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `TestApproximateWeightedNewStableReplicaCounts`: (replicas, weight, surge, canary, stable).
    #[test]
    fn closest_split_to_the_weight() {
        let cases: &[(i32, i32, i32, i32, i32)] = &[
            (0, 0, 0, 0, 0),
            (0, 50, 0, 0, 0),
            (0, 100, 0, 0, 0),
            (0, 0, 1, 0, 0),
            (0, 50, 1, 0, 0),
            (0, 100, 1, 0, 0),
            (1, 0, 0, 0, 1),
            (1, 1, 0, 0, 1),
            (1, 49, 0, 0, 1),
            (1, 50, 0, 1, 0),
            (1, 99, 0, 1, 0),
            (1, 100, 0, 1, 0),
            (1, 0, 1, 0, 1),
            (1, 1, 1, 1, 1),
            (1, 49, 1, 1, 1),
            (1, 50, 1, 1, 1),
            (1, 99, 1, 1, 1),
            (1, 100, 1, 1, 0),
            (2, 0, 0, 0, 2),
            (2, 1, 0, 1, 1),
            (2, 50, 0, 1, 1),
            (2, 99, 0, 1, 1),
            (2, 100, 0, 2, 0),
            (2, 0, 1, 0, 2),
            (2, 1, 1, 1, 2),
            (2, 50, 1, 1, 1),
            (2, 99, 1, 2, 1),
            (2, 100, 1, 2, 0),
            (3, 10, 0, 1, 2),
            (3, 25, 0, 1, 2),
            (3, 33, 0, 1, 2),
            (3, 34, 0, 1, 2),
            (3, 49, 0, 1, 2),
            (3, 50, 0, 2, 1),
            (3, 10, 1, 1, 3),
            (3, 25, 1, 1, 3),
            (3, 33, 1, 1, 2),
            (3, 34, 1, 1, 2),
            (3, 49, 1, 2, 2),
            (3, 50, 1, 2, 2),
            (10, 0, 1, 0, 10),
            (10, 1, 0, 1, 9),
            (10, 14, 0, 1, 9),
            (10, 15, 0, 2, 8),
            (10, 16, 0, 2, 8),
            (10, 99, 0, 9, 1),
            (10, 100, 1, 10, 0),
            (10, 1, 1, 1, 10),
            (10, 18, 1, 2, 9),
            (10, 19, 1, 2, 9),
            (10, 20, 1, 2, 8),
            (10, 23, 1, 2, 8),
            (10, 24, 1, 3, 8),
            (10, 25, 1, 3, 8),
            (10, 99, 1, 10, 1),
            // The specification's example: 10 replicas at setWeight 41 run 4 canary pods.
            (10, 41, 0, 4, 6),
        ];
        for &(replicas, weight, surge, canary, stable) in cases {
            assert_eq!(
                approximate_weighted_counts(replicas, weight, surge),
                (canary, stable),
                "replicas {replicas} weight {weight} surge {surge}"
            );
        }
    }

    /// The examples in the doc comment of `CalculateReplicaCountsForBasicCanary`: (replicas,
    /// weight, unavailable, surge, canary, stable), starting from an untouched stable. Its
    /// example "weight 5, unavailable 1, surge 1 gives 1 and 9" predates the closest-split rule:
    /// 1 canary of 11 pods (9.1 %) is closer to 5 % than 1 of 10, so today stable keeps 10.
    #[test]
    fn first_move_of_a_basic_canary() {
        let cases = [
            (10, 10, 1, 1, 1, 9),
            (10, 30, 0, 3, 3, 10),
            (10, 30, 5, 0, 0, 7),
            (10, 5, 1, 1, 1, 10),
            (1, 5, 0, 1, 1, 1),
            (1, 95, 0, 1, 1, 1),
        ];
        for (replicas, weight, unavailable, surge, canary, stable) in cases {
            let input = BasicCanaryInput {
                replicas,
                weight,
                max_surge: surge,
                max_unavailable: unavailable,
                canary: Some(ReplicaSetState::default()),
                stable: Some(ReplicaSetState {
                    spec_replicas: replicas,
                    available: replicas,
                }),
                older_replicas: 0,
            };
            assert_eq!(
                basic_canary_replica_counts(&input),
                (canary, stable),
                "replicas {replicas} weight {weight} unavailable {unavailable} surge {surge}"
            );
        }
    }

    #[test]
    fn a_first_deploy_goes_straight_to_full_size() {
        let input = BasicCanaryInput {
            replicas: 10,
            weight: 10,
            max_surge: 1,
            max_unavailable: 0,
            canary: Some(ReplicaSetState {
                spec_replicas: 9,
                available: 9,
            }),
            stable: None,
            older_replicas: 0,
        };
        assert_eq!(basic_canary_replica_counts(&input), (10, 0));
    }

    /// `TestTrafficWeightToReplicas`.
    #[test]
    fn traffic_routed_canary_pods_round_up() {
        for (weight, pods) in [(0, 0), (20, 2), (25, 3), (33, 4), (99, 10), (100, 10)] {
            assert_eq!(
                traffic_weight_to_replicas(10, weight),
                pods,
                "weight {weight}"
            );
        }
    }

    #[test]
    fn argo_defaults_resolve_like_kubernetes() {
        let quarter = IntOrPercent::Str("25".to_string());
        assert_eq!(
            argo_surge_and_unavailable(&quarter, &quarter, 10),
            Ok((3, 2))
        );
        let zero = IntOrPercent::Int(0);
        assert_eq!(argo_surge_and_unavailable(&zero, &zero, 10), Ok((0, 1)));
    }
}
