//! The Kubernetes Deployment controller's arithmetic, as in `pkg/controller/deployment`:
//! surge and unavailability from `maxSurge`/`maxUnavailable`, how far the new ReplicaSet may
//! scale up, how old ReplicaSets are scaled down (unhealthy pods first, oldest first), and the
//! complete, progressing and timed-out tests behind the `Progressing` condition. Every function
//! is pure and pinned to the upstream unit-test vectors (`k8s-rolling-vectors.md`).

use serde::{Deserialize, Serialize};

use super::intstr::IntOrPercent;

/// `spec.strategy.type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeploymentStrategyType {
    /// Replace pods a few at a time (the default).
    #[default]
    RollingUpdate,
    /// Kill every old pod before creating new ones.
    Recreate,
}

/// The fields of a Deployment spec the rollout depends on, with apps/v1 defaults applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentSpec {
    /// `spec.replicas` (default 1).
    pub replicas: i32,
    /// `spec.strategy.type`.
    pub strategy: DeploymentStrategyType,
    /// `spec.strategy.rollingUpdate.maxSurge` (default 25 %); `None` only for Recreate.
    pub max_surge: Option<IntOrPercent>,
    /// `spec.strategy.rollingUpdate.maxUnavailable` (default 25 %); `None` only for Recreate.
    pub max_unavailable: Option<IntOrPercent>,
    /// `spec.minReadySeconds`: how long a pod must be ready to count as available (default 0).
    pub min_ready_seconds: i32,
    /// `spec.progressDeadlineSeconds` (default 600); `None` means no deadline.
    pub progress_deadline_seconds: Option<i32>,
    /// `spec.revisionHistoryLimit` (default 10).
    pub revision_history_limit: i32,
    /// `spec.paused`.
    pub paused: bool,
}

impl Default for DeploymentSpec {
    fn default() -> Self {
        DeploymentSpec {
            replicas: 1,
            strategy: DeploymentStrategyType::RollingUpdate,
            max_surge: Some(IntOrPercent::percent(25)),
            max_unavailable: Some(IntOrPercent::percent(25)),
            min_ready_seconds: 0,
            progress_deadline_seconds: Some(600),
            revision_history_limit: 10,
            paused: false,
        }
    }
}

/// One ReplicaSet as the controller sees it: what it asks for and what it has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaSetCounts {
    /// `spec.replicas`.
    pub spec_replicas: i32,
    /// `status.replicas`: pods that exist and are not terminating.
    pub replicas: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// `status.availableReplicas`: ready for at least `minReadySeconds`.
    pub available: i32,
}

/// Replica counts of a Deployment's status, summed over its ReplicaSets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentCounts {
    /// `status.replicas`.
    pub replicas: i32,
    /// `status.updatedReplicas`: pods of the current template.
    pub updated: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// `status.availableReplicas`.
    pub available: i32,
}

/// Surge and unavailability as counts (`ResolveFenceposts`): surge rounds up, unavailability
/// down, and when both come to zero unavailability becomes one so the rollout can move. A
/// missing value counts as zero.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrPercent>,
    max_unavailable: Option<&IntOrPercent>,
    desired: i32,
) -> Result<(i32, i32), String> {
    let zero = IntOrPercent::Int(0);
    let surge = max_surge
        .unwrap_or(&zero)
        .scaled(i64::from(desired), true)?;
    let unavailable = max_unavailable
        .unwrap_or(&zero)
        .scaled(i64::from(desired), false)?;
    let (surge, unavailable) = (surge as i32, unavailable as i32);
    if surge == 0 && unavailable == 0 {
        return Ok((0, 1));
    }
    Ok((surge, unavailable))
}

impl DeploymentSpec {
    /// `MaxUnavailable`: zero for Recreate or no replicas, otherwise the resolved count capped
    /// at the replicas.
    pub fn max_unavailable(&self) -> i32 {
        if self.strategy == DeploymentStrategyType::Recreate || self.replicas == 0 {
            return 0;
        }
        let (_, unavailable) = self.fenceposts();
        unavailable.min(self.replicas)
    }

    /// `MinAvailable`: the replicas that must stay available during the rollout (none for
    /// Recreate, which takes everything down first).
    pub fn min_available(&self) -> i32 {
        if self.strategy == DeploymentStrategyType::Recreate {
            return 0;
        }
        self.replicas - self.max_unavailable()
    }

    /// `MaxSurge`: how many pods above the replicas may exist (zero for Recreate).
    pub fn max_surge(&self) -> i32 {
        if self.strategy == DeploymentStrategyType::Recreate {
            return 0;
        }
        self.fenceposts().0
    }

    /// Resolved surge and unavailability; a spec that passed [`validate_deployment`] resolves.
    fn fenceposts(&self) -> (i32, i32) {
        resolve_fenceposts(
            self.max_surge.as_ref(),
            self.max_unavailable.as_ref(),
            self.replicas,
        )
        .unwrap_or((0, 1))
    }
}

/// `NewRSNewReplicas`: the replicas the new ReplicaSet may have now, given every ReplicaSet's
/// `spec.replicas` summed (`all_replicas`). Recreate goes straight to the full count.
pub fn new_rs_new_replicas(spec: &DeploymentSpec, all_replicas: i32, new_rs_replicas: i32) -> i32 {
    if spec.strategy == DeploymentStrategyType::Recreate {
        return spec.replicas;
    }
    let max_total_pods = spec.replicas + spec.max_surge();
    if all_replicas >= max_total_pods {
        return new_rs_replicas;
    }
    let scale_up = (max_total_pods - all_replicas).min(spec.replicas - new_rs_replicas);
    new_rs_replicas + scale_up
}

/// `reconcileNewReplicaSet`: the new ReplicaSet's next size, or `None` when it stays as it is.
pub fn reconcile_new_replica_set(
    spec: &DeploymentSpec,
    all_replicas: i32,
    new_rs_replicas: i32,
) -> Option<i32> {
    if new_rs_replicas == spec.replicas {
        return None;
    }
    if new_rs_replicas > spec.replicas {
        return Some(spec.replicas);
    }
    let next = new_rs_new_replicas(spec, all_replicas, new_rs_replicas);
    (next != new_rs_replicas).then_some(next)
}

/// `cleanupUnhealthyReplicas`: scales old ReplicaSets (oldest first) down by their unavailable
/// pods, at most `max_cleanup` in all. Returns how many were removed.
pub fn cleanup_unhealthy_replicas(old: &mut [ReplicaSetCounts], max_cleanup: i32) -> i32 {
    let mut total = 0;
    for replica_set in old.iter_mut() {
        if total >= max_cleanup {
            break;
        }
        if replica_set.spec_replicas == 0 || replica_set.spec_replicas == replica_set.available {
            continue;
        }
        let scaled = (max_cleanup - total).min(replica_set.spec_replicas - replica_set.available);
        replica_set.spec_replicas -= scaled;
        total += scaled;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: scales old ReplicaSets (oldest first) down by as
/// many pods as are available above the minimum. `available_total` counts every ReplicaSet's
/// available pods, new included. Returns how many were removed.
pub fn scale_down_old_replica_sets(
    spec: &DeploymentSpec,
    available_total: i32,
    old: &mut [ReplicaSetCounts],
) -> i32 {
    let min_available = spec.min_available();
    if available_total <= min_available {
        return 0;
    }
    let to_remove = available_total - min_available;
    let mut total = 0;
    for replica_set in old.iter_mut() {
        if total >= to_remove {
            break;
        }
        if replica_set.spec_replicas == 0 {
            continue;
        }
        let scaled = replica_set.spec_replicas.min(to_remove - total);
        replica_set.spec_replicas -= scaled;
        total += scaled;
    }
    total
}

/// `reconcileOldReplicaSets`: removes unhealthy old pods, then scales old ReplicaSets down as
/// far as `maxUnavailable` allows, never counting on the new ReplicaSet's unavailable pods.
/// Returns how many pods were removed in all.
pub fn reconcile_old_replica_sets(
    spec: &DeploymentSpec,
    new: &ReplicaSetCounts,
    old: &mut [ReplicaSetCounts],
) -> i32 {
    let old_pods: i32 = old.iter().map(|rs| rs.spec_replicas).sum();
    if old_pods == 0 {
        return 0;
    }
    let all_pods = old_pods + new.spec_replicas;
    let new_unavailable = new.spec_replicas - new.available;
    let max_scaled_down = all_pods - spec.min_available() - new_unavailable;
    if max_scaled_down <= 0 {
        return 0;
    }
    let cleaned = cleanup_unhealthy_replicas(old, max_scaled_down);
    let available_total = old.iter().map(|rs| rs.available).sum::<i32>() + new.available;
    cleaned + scale_down_old_replica_sets(spec, available_total, old)
}

/// `DeploymentComplete`: every replica is updated, none is left over, and all are available.
pub fn deployment_complete(replicas: i32, status: &DeploymentCounts) -> bool {
    status.updated == replicas && status.replicas == replicas && status.available == replicas
}

/// `DeploymentProgressing`: more pods updated, fewer old pods, or more ready or available pods
/// than at the last check.
pub fn deployment_progressing(old: &DeploymentCounts, new: &DeploymentCounts) -> bool {
    new.updated > old.updated
        || (new.replicas - new.updated) < (old.replicas - old.updated)
        || new.ready > old.ready
        || new.available > old.available
}

/// `DeploymentTimedOut`: the `Progressing` condition was last updated at `last_update_s` and no
/// progress has been seen for longer than the deadline. No deadline (or `i32::MAX`) never
/// times out, and neither does a rollout whose new ReplicaSet is already available.
pub fn deployment_timed_out(
    progress_deadline_seconds: Option<i32>,
    last_update_s: i64,
    now_s: i64,
    new_replica_set_available: bool,
) -> bool {
    let Some(deadline) = progress_deadline_seconds else {
        return false;
    };
    if deadline == i32::MAX || new_replica_set_available {
        return false;
    }
    last_update_s + i64::from(deadline) < now_s
}

/// Kubernetes' validation of the fields above (`ValidateDeploymentSpec` and
/// `ValidateRollingUpdateDeployment`), as `field: reason` messages.
pub fn validate_deployment(spec: &DeploymentSpec, has_rolling_update_block: bool) -> Vec<String> {
    let mut errors = Vec::new();
    if spec.replicas < 0 {
        errors.push(format!(
            "spec.replicas: Invalid value: {}: must be greater than or equal to 0",
            spec.replicas
        ));
    }
    if spec.min_ready_seconds < 0 {
        errors.push(format!(
            "spec.minReadySeconds: Invalid value: {}: must be greater than or equal to 0",
            spec.min_ready_seconds
        ));
    }
    if let Some(deadline) = spec.progress_deadline_seconds {
        if deadline < 0 {
            errors.push(format!(
                "spec.progressDeadlineSeconds: Invalid value: {deadline}: must be greater than or equal to 0"
            ));
        } else if deadline <= spec.min_ready_seconds {
            errors.push(format!(
                "spec.progressDeadlineSeconds: Invalid value: {deadline}: must be greater than minReadySeconds"
            ));
        }
    }
    if spec.revision_history_limit < 0 {
        errors.push(format!(
            "spec.revisionHistoryLimit: Invalid value: {}: must be greater than or equal to 0",
            spec.revision_history_limit
        ));
    }
    match spec.strategy {
        DeploymentStrategyType::Recreate if has_rolling_update_block => errors.push(
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
                .to_string(),
        ),
        DeploymentStrategyType::Recreate => {}
        DeploymentStrategyType::RollingUpdate => {
            let surge_field = "spec.strategy.rollingUpdate.maxSurge";
            let unavailable_field = "spec.strategy.rollingUpdate.maxUnavailable";
            let zero = IntOrPercent::Int(0);
            let surge = spec.max_surge.as_ref().unwrap_or(&zero);
            let unavailable = spec.max_unavailable.as_ref().unwrap_or(&zero);
            let surge_errors = surge.validation_errors(surge_field);
            let unavailable_errors = unavailable.validation_errors(unavailable_field);
            let all_valid = surge_errors.is_empty() && unavailable_errors.is_empty();
            errors.extend(surge_errors);
            errors.extend(unavailable_errors);
            if all_valid {
                if is_zero(surge) && is_zero(unavailable) {
                    errors.push(format!(
                        "{unavailable_field}: Invalid value: {}: may not be 0 when `maxSurge` is 0",
                        unavailable.written()
                    ));
                }
                if unavailable.percent_value().is_some_and(|p| p > 100) {
                    errors.push(format!(
                        "{unavailable_field}: Invalid value: {}: must not be greater than 100%",
                        unavailable.written()
                    ));
                }
            }
        }
    }
    errors
}

/// A count or percentage of zero (`getIntOrPercentValue` is 0).
fn is_zero(value: &IntOrPercent) -> bool {
    match value {
        IntOrPercent::Int(count) => *count == 0,
        IntOrPercent::Str(_) => value.percent_value() == Some(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> IntOrPercent {
        IntOrPercent::Str(text.to_string())
    }

    fn rolling(replicas: i32, surge: IntOrPercent, unavailable: IntOrPercent) -> DeploymentSpec {
        DeploymentSpec {
            replicas,
            max_surge: Some(surge),
            max_unavailable: Some(unavailable),
            ..DeploymentSpec::default()
        }
    }

    fn rs(spec_replicas: i32, available: i32) -> ReplicaSetCounts {
        ReplicaSetCounts {
            spec_replicas,
            replicas: spec_replicas,
            ready: available,
            available,
        }
    }

    /// `TestResolveFenceposts` (vectors §2).
    #[test]
    fn fenceposts() {
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            i32,
            Result<(i32, i32), ()>,
        );
        let cases: [Case; 7] = [
            (Some("0%"), Some("0%"), 0, Ok((0, 1))),
            (Some("39%"), Some("39%"), 10, Ok((4, 3))),
            (Some("oops"), Some("39%"), 10, Err(())),
            (Some("55%"), Some("urg"), 10, Err(())),
            (None, Some("39%"), 10, Ok((0, 3))),
            (Some("39%"), None, 10, Ok((4, 0))),
            (None, None, 10, Ok((0, 1))),
        ];
        for (surge, unavailable, desired, expected) in cases {
            let surge = surge.map(s);
            let unavailable = unavailable.map(s);
            let got =
                resolve_fenceposts(surge.as_ref(), unavailable.as_ref(), desired).map_err(|_| ());
            assert_eq!(got, expected, "{surge:?} {unavailable:?} of {desired}");
        }
    }

    /// `TestMaxUnavailable` and `TestMinAvailable` (vectors §3 and §4; maxSurge 1 throughout).
    #[test]
    fn max_unavailable_and_min_available() {
        let cases: [(i32, IntOrPercent, i32, i32); 7] = [
            (10, IntOrPercent::Int(5), 5, 5),
            (10, IntOrPercent::Int(10), 10, 0),
            (5, IntOrPercent::Int(10), 5, 0),
            (0, IntOrPercent::Int(10), 0, 0),
            (10, s("50%"), 5, 5),
            (10, s("100%"), 10, 0),
            (5, s("100%"), 5, 0),
        ];
        for (replicas, unavailable, max, min) in cases {
            let spec = rolling(replicas, IntOrPercent::Int(1), unavailable.clone());
            assert_eq!(spec.max_unavailable(), max, "{replicas} {unavailable:?}");
            assert_eq!(spec.min_available(), min, "{replicas} {unavailable:?}");
        }
        assert_eq!(
            rolling(10, IntOrPercent::Int(1), s("60%")).min_available(),
            4
        );
        let recreate = DeploymentSpec {
            replicas: 10,
            strategy: DeploymentStrategyType::Recreate,
            ..DeploymentSpec::default()
        };
        assert_eq!(recreate.max_unavailable(), 0);
        assert_eq!(recreate.min_available(), 0);
    }

    /// `TestNewRSNewReplicas`: (strategy, deployment replicas, new RS replicas, maxSurge,
    /// expected); the other ReplicaSet has 5 replicas.
    #[test]
    fn new_replica_set_scale_up() {
        let cases = [
            (DeploymentStrategyType::RollingUpdate, 1, 5, 1, 5),
            (DeploymentStrategyType::RollingUpdate, 6, 2, 10, 6),
            (DeploymentStrategyType::Recreate, 3, 1, 1, 3),
        ];
        for (strategy, replicas, new_replicas, surge, expected) in cases {
            let spec = DeploymentSpec {
                strategy,
                ..rolling(replicas, IntOrPercent::Int(surge), IntOrPercent::Int(1))
            };
            assert_eq!(
                new_rs_new_replicas(&spec, new_replicas + 5, new_replicas),
                expected,
                "{strategy:?} {replicas} {new_replicas} {surge}"
            );
        }
    }

    /// `TestDeploymentController_reconcileNewReplicaSet` (maxUnavailable 0).
    #[test]
    fn reconcile_new() {
        let cases = [
            (10, 0, 10, 0, None),
            (10, 2, 10, 0, Some(2)),
            (10, 2, 5, 0, Some(7)),
            (10, 2, 10, 2, None),
            (10, 2, 2, 11, Some(10)),
        ];
        for (replicas, surge, old, new, expected) in cases {
            let spec = rolling(replicas, IntOrPercent::Int(surge), IntOrPercent::Int(0));
            assert_eq!(
                reconcile_new_replica_set(&spec, old + new, new),
                expected,
                "replicas {replicas} surge {surge} old {old} new {new}"
            );
        }
    }

    /// `TestDeploymentController_reconcileOldReplicaSets` (maxSurge 0): (replicas,
    /// maxUnavailable, old, new, ready old, ready new, expected old replicas or no scaling).
    #[test]
    fn reconcile_old() {
        let cases = [
            (10, 0, 10, 0, 10, 0, Some(9)),
            (10, 2, 10, 0, 10, 0, Some(8)),
            (10, 2, 10, 0, 8, 0, Some(8)),
            (10, 2, 10, 0, 9, 0, Some(8)),
            (10, 2, 8, 2, 8, 0, None),
        ];
        for (replicas, unavailable, old, new, ready_old, ready_new, expected) in cases {
            let spec = rolling(
                replicas,
                IntOrPercent::Int(0),
                IntOrPercent::Int(unavailable),
            );
            let mut olds = [rs(old, ready_old)];
            let removed = reconcile_old_replica_sets(&spec, &rs(new, ready_new), &mut olds);
            match expected {
                Some(replicas_left) => assert_eq!(olds[0].spec_replicas, replicas_left),
                None => assert_eq!(removed, 0),
            }
        }
    }

    /// `TestDeploymentController_cleanupUnhealthyReplicas`: (old replicas, ready, max cleanup,
    /// cleaned).
    #[test]
    fn cleanup_unhealthy() {
        for (old, ready, max_cleanup, expected) in
            [(10, 8, 1, 1), (10, 8, 3, 2), (10, 8, 0, 0), (10, 10, 3, 0)]
        {
            let mut olds = [rs(old, ready)];
            assert_eq!(cleanup_unhealthy_replicas(&mut olds, max_cleanup), expected);
        }
    }

    /// `TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate` (maxSurge 0):
    /// (replicas, maxUnavailable, ready, old replicas, expected old replicas or no scaling).
    #[test]
    fn scale_down_old() {
        let cases = [
            (10, 0, 10, 10, Some(9)),
            (10, 2, 10, 10, Some(8)),
            (10, 2, 8, 10, None),
            (10, 2, 10, 0, None),
            (10, 2, 1, 10, None),
        ];
        for (replicas, unavailable, ready, old, expected) in cases {
            let spec = rolling(
                replicas,
                IntOrPercent::Int(0),
                IntOrPercent::Int(unavailable),
            );
            let mut olds = [rs(old, ready)];
            let removed = scale_down_old_replica_sets(&spec, ready, &mut olds);
            match expected {
                Some(left) => assert_eq!(
                    olds[0].spec_replicas, left,
                    "{replicas} {unavailable} {ready} {old}"
                ),
                None => assert_eq!(removed, 0, "{replicas} {unavailable} {ready} {old}"),
            }
        }
    }

    /// `TestDeploymentComplete` (vectors §10): (desired, current, updated, available).
    #[test]
    fn complete() {
        let cases = [
            ((5, 5, 5, 4), false),
            ((5, 5, 5, 3), false),
            ((5, 5, 5, 5), true),
            ((5, 5, 4, 5), false),
            ((1, 2, 1, 1), false),
            ((1, 1, 1, 0), false),
        ];
        for ((desired, replicas, updated, available), expected) in cases {
            let status = DeploymentCounts {
                replicas,
                updated,
                ready: available,
                available,
            };
            assert_eq!(
                deployment_complete(desired, &status),
                expected,
                "{desired} {status:?}"
            );
        }
    }

    /// `TestDeploymentProgressing` (vectors §11): (replicas, updated, ready, available).
    #[test]
    fn progressing() {
        let counts = |(replicas, updated, ready, available)| DeploymentCounts {
            replicas,
            updated,
            ready,
            available,
        };
        let cases = [
            ((10, 4, 4, 4), (10, 6, 4, 4), true),
            ((10, 4, 4, 4), (10, 4, 4, 4), false),
            ((10, 4, 6, 6), (8, 4, 6, 6), true),
            ((10, 7, 3, 3), (10, 6, 3, 3), false),
            ((10, 4, 7, 7), (8, 8, 5, 5), true),
            ((10, 10, 9, 8), (10, 10, 10, 8), true),
            ((10, 10, 10, 9), (10, 10, 10, 10), true),
        ];
        for (old, new, expected) in cases {
            assert_eq!(
                deployment_progressing(&counts(old), &counts(new)),
                expected,
                "{old:?} → {new:?}"
            );
        }
    }

    /// `TestDeploymentTimedOut` (vectors §12), now 00:01:20.
    #[test]
    fn timed_out() {
        let now = 80;
        assert!(!deployment_timed_out(None, 69, now, false));
        assert!(!deployment_timed_out(Some(i32::MAX), 69, now, false));
        assert!(deployment_timed_out(Some(10), 69, now, false));
        assert!(!deployment_timed_out(Some(10), 71, now, false));
        assert!(!deployment_timed_out(None, 0, now, true));
        assert!(!deployment_timed_out(Some(10), 0, now, true));
    }

    #[test]
    fn validation_uses_the_api_servers_words() {
        let both_zero = rolling(3, IntOrPercent::Int(0), IntOrPercent::Int(0));
        assert_eq!(
            validate_deployment(&both_zero, true),
            vec![
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
            ]
        );
        let percent_zero = rolling(3, s("0%"), s("0%"));
        assert_eq!(
            validate_deployment(&percent_zero, true),
            vec![
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when `maxSurge` is 0"
            ]
        );
        let over = rolling(3, s("25%"), s("110%"));
        assert_eq!(
            validate_deployment(&over, true),
            vec![
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"110%\": must not be greater than 100%"
            ]
        );
        let bare = rolling(3, s("90"), s("25%"));
        assert!(validate_deployment(&bare, true)[0].starts_with(
            "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"90\": a valid percent string"
        ));
        let recreate = DeploymentSpec {
            strategy: DeploymentStrategyType::Recreate,
            ..DeploymentSpec::default()
        };
        assert_eq!(
            validate_deployment(&recreate, true),
            vec![
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
            ]
        );
        assert!(validate_deployment(&recreate, false).is_empty());
        let deadline = DeploymentSpec {
            min_ready_seconds: 30,
            progress_deadline_seconds: Some(30),
            ..DeploymentSpec::default()
        };
        assert_eq!(
            validate_deployment(&deadline, true),
            vec![
                "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"
            ]
        );
        assert!(validate_deployment(&DeploymentSpec::default(), true).is_empty());
    }
}
