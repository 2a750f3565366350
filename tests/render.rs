//! The app and its main components rendered to HTML natively (Yew SSR), checked for what a
//! trainee must be able to read.

use deploy_dojo::Shell;
use deploy_dojo::components::{
    AuditLog, AuditLogProps, FleetView, FleetViewProps, RolloutPanel, RolloutPanelProps,
    TrafficSplit, TrafficSplitProps,
};
use deploy_dojo::view::rollout::rollout;
use deploy_dojo::view::workspace;
use engine::Sim;
use yew::Callback;
use yew::LocalServerRenderer;

fn finished(id: &str, seed: u64) -> Sim {
    Sim::run_builtin(id, seed).expect("a built-in scenario")
}

#[tokio::test(flavor = "current_thread")]
async fn the_app_opens_on_the_lab_library() {
    let html = LocalServerRenderer::<Shell>::new()
        .hydratable(false)
        .render()
        .await;
    for expected in [
        "Deploy Dojo",
        "Labs",
        "Customer conversations",
        "Compliance and audit trail",
        "CSM",
        "Intermediate",
        "20 min",
        "Not started",
        "Our auditors want to see who approved each production deployment",
        "Open the sandbox",
    ] {
        assert!(
            html.contains(expected),
            "missing {expected:?} in the library"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_sandbox_starts_with_nothing_to_promote_abort_or_retry() {
    let sim = Sim::new(engine::scenario::builtin("canary-bad-release").unwrap(), 1);
    let props = RolloutPanelProps {
        view: rollout(&sim),
        threshold: workspace::threshold_label(&sim),
        on_action: Callback::noop(),
    };
    let html = LocalServerRenderer::<RolloutPanel>::with_props(props)
        .hydratable(false)
        .render()
        .await;
    assert!(
        html.contains("Canary rollout") && html.contains("Healthy"),
        "{html}"
    );
    for button in ["promote", "abort", "retry"] {
        let tag_start = html
            .find(&format!(r#"id="{button}""#))
            .unwrap_or_else(|| panic!("no #{button}"));
        let tag = &html[html[..tag_start].rfind('<').unwrap()
            ..tag_start + html[tag_start..].find('>').unwrap()];
        assert!(
            tag.contains("disabled"),
            "#{button} should start disabled: {tag}"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_rollout_panel_explains_a_rollback() {
    let sim = finished("canary-bad-release", 1);
    let props = RolloutPanelProps {
        view: rollout(&sim),
        threshold: workspace::threshold_label(&sim),
        on_action: yew::Callback::noop(),
    };
    let html = LocalServerRenderer::<RolloutPanel>::with_props(props)
        .render()
        .await;
    assert!(html.contains("Degraded"));
    assert!(html.contains("v2 rolled back: all traffic is on v1."));
    assert!(html.contains("≤ 5.0 % errors"));
    assert!(
        html.contains(r#"class="step step-done""#),
        "the 10 % step is done"
    );
    assert!(html.contains("Failed"), "the failed measurement is listed");
}

#[tokio::test(flavor = "current_thread")]
async fn traffic_and_fleet_show_versions_in_words_not_only_colour() {
    let sim = finished("canary-good-release", 2);
    let traffic = LocalServerRenderer::<TrafficSplit>::with_props(TrafficSplitProps {
        shares: workspace::traffic(&sim),
    })
    .render()
    .await;
    assert!(traffic.contains("v3 100 %"), "{traffic}");
    assert!(traffic.contains("Traffic split: v3 100 %"));
    let fleet = LocalServerRenderer::<FleetView>::with_props(FleetViewProps {
        instances: workspace::fleet(&sim),
        cpu_percent: workspace::fleet_cpu_percent(&sim),
    })
    .render()
    .await;
    assert_eq!(fleet.matches(r#"data-state="ready""#).count(), 10);
    assert!(fleet.contains("10 ready · 0 starting · 0 draining"));
    assert!(fleet.contains(">ready<"), "state is written on each tile");
    // 200 requests a second on 10 instances of 60: about a third of their CPU.
    let cpu = workspace::fleet_cpu_percent(&sim).expect("a CPU reading");
    assert!((28..=38).contains(&cpu), "CPU {cpu} %");
    assert!(fleet.contains(&format!("CPU {cpu} %")));
}

#[tokio::test(flavor = "current_thread")]
async fn the_audit_log_lists_newest_first_with_the_chain_head() {
    let sim = finished("canary-bad-release", 3);
    let head = sim.audit().head().to_string();
    let props = AuditLogProps {
        rows: workspace::audit(&sim),
        head: head.clone(),
        chain_intact: true,
        export: Callback::from(|_csv: bool| String::new()),
        export_name: "audit".to_string(),
    };
    let html = LocalServerRenderer::<AuditLog>::with_props(props)
        .render()
        .await;
    assert!(html.contains(&head[..16]));
    let scaled_down = html.find("ScalingReplicaSet").unwrap();
    let updated = html.rfind("RolloutUpdated").unwrap();
    assert!(scaled_down < updated, "newest first");
    assert!(html.contains("row-danger"), "the abort is highlighted");
    assert!(html.contains("Chain verified"));
    assert!(
        html.contains("[rolled back]"),
        "the abort's outcome is shown"
    );
}

#[test]
fn the_chart_draws_to_svg_with_lines_and_threshold() {
    use plotters::prelude::*;
    let sim = finished("canary-bad-release", 1);
    let data = deploy_dojo::view::chart::chart(
        &sim,
        deploy_dojo::view::chart::ChartMetric::ErrorRate,
        deploy_dojo::view::chart::ChartRange::Quarter,
    );
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (900, 280)).into_drawing_area();
        deploy_dojo::chart::draw_error_rate_chart(&area, &data).expect("chart draws");
    }
    assert!(
        svg.contains("#1D4ED8") || svg.contains("#1d4ed8"),
        "v1 line"
    );
    assert!(
        svg.contains("#B45309") || svg.contains("#b45309"),
        "v2 line"
    );
    assert!(svg.contains("gate 5 %"));
    assert!(svg.contains("rollback"));
}
