//! Cross-target determinism: the audit heads and whole-state digests of the built-in scenarios for several seeds must
//! equal the golden file, natively and in wasm32 (run with
//! `cargo test --target wasm32-unknown-unknown --test cross_target`, under node).
//! Both targets checking one file proves they agree bit for bit.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use engine::{Sim, scenario};

const GOLDEN: &str = include_str!("../engine/tests/golden/audit_heads.txt");

#[test]
fn audit_digests_match_the_golden_file() {
    let mut checked = 0;
    for line in GOLDEN.lines() {
        let mut fields = line.split(' ');
        let (Some(id), Some(seed), Some(expected), Some(expected_state)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            panic!("malformed golden line {line:?}");
        };
        let seed: u64 = seed.parse().expect("golden seed");
        let mut sim = Sim::new(
            scenario::builtin(id).expect("golden scenario is built in"),
            seed,
        );
        sim.run_to_end();
        assert_eq!(
            sim.audit().head(),
            expected,
            "{id} seed {seed} differs on this target; reproduce with: cargo run -p engine --bin dojo -- run {id} --seed {seed} --json"
        );
        assert_eq!(
            sim.state_digest(),
            expected_state,
            "{id} seed {seed}: the metrics differ on this target although the audit log matches"
        );
        checked += 1;
    }
    assert!(checked >= 10, "the golden file lists at least ten runs");
}
