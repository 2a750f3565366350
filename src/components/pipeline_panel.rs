//! The pipeline: the newest run's job graph, the review dialog of a waiting deployment, the
//! deployment-window badge, the error budget gauge, DORA's metrics, and the run form.

use std::collections::BTreeMap;

use engine::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::field::store;
use crate::state::Action;
use crate::view::pipeline::PipelineView;

/// Props of [`PipelinePanel`].
#[derive(Properties, PartialEq)]
pub struct PipelinePanelProps {
    /// The pipeline.
    pub view: PipelineView,
    /// Receives the pipeline commands.
    pub on_action: Callback<Action>,
    /// More folded parts of the card (the environments), shown before the run form.
    #[prop_or_default]
    pub children: Html,
}

/// The pipeline card.
#[component]
pub fn PipelinePanel(props: &PipelinePanelProps) -> Html {
    let view = &props.view;
    let reviewer = use_state(String::new);
    let comment = use_state(String::new);
    let branch = use_state(|| "main".to_string());
    let reason = use_state(String::new);
    let skip_tests = use_state(|| false);
    // Values the person changed; the others keep their defaults.
    let input_values = use_state(BTreeMap::<String, String>::new);
    let command = |command: Command| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Command(command.clone())))
    };
    let review_buttons = view.review.as_ref().map(|request| {
        let chosen = if reviewer.is_empty() {
            request
                .reviewers
                .iter()
                .find(|r| **r != request.triggered_by)
                .cloned()
                .unwrap_or_default()
        } else {
            (*reviewer).clone()
        };
        let decide = |approve: bool| {
            command(Command::ReviewDeployment {
                environment: request.environment.clone(),
                reviewer: chosen.clone(),
                approve,
                comment: (*comment).clone(),
            })
        };
        (chosen.clone(), decide(true), decide(false))
    });
    let on_reviewer: Callback<Event> = store(&reviewer, HtmlSelectElement::value);
    let on_comment: Callback<InputEvent> = store(&comment, HtmlTextAreaElement::value);
    let on_branch: Callback<Event> = store(&branch, HtmlSelectElement::value);
    let on_reason: Callback<InputEvent> = store(&reason, HtmlInputElement::value);
    let on_skip: Callback<Event> = store(&skip_tests, HtmlInputElement::checked);
    let (event, dispatch_reason) = (view.run_event, view.dispatch_reason);
    let run_workflow = |emergency: bool| {
        let on_action = props.on_action.clone();
        let (branch, reason, skip_tests) = ((*branch).clone(), (*reason).clone(), *skip_tests);
        let mut inputs: BTreeMap<String, String> = BTreeMap::new();
        inputs.extend(
            view.inputs
                .iter()
                .map(|(name, _, _, _, default)| (name.clone(), default.clone())),
        );
        inputs.extend((*input_values).clone());
        // The workflow's own `reason` input takes the reason on any run.
        if dispatch_reason && !emergency && !reason.trim().is_empty() {
            inputs.insert("reason".to_string(), reason.clone());
        }
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Command(Command::TriggerWorkflow {
                event: event.to_string(),
                branch: branch.clone(),
                login: "trainee".to_string(),
                inputs: inputs.clone(),
                emergency_reason: emergency.then(|| reason.clone()),
                skip_tests: emergency && skip_tests,
            }))
        })
    };
    let on_input = |name: String| {
        let input_values = input_values.clone();
        Callback::from(move |e: Event| {
            let target = e.target_unchecked_into::<HtmlInputElement>();
            let value = if target.type_() == "checkbox" {
                target.checked().to_string()
            } else {
                target.value()
            };
            let mut values = (*input_values).clone();
            values.insert(name.clone(), value);
            input_values.set(values);
        })
    };
    let budget = &view.budget;
    html! {
        <section class="card pipeline" aria-labelledby="pipeline-heading">
            <div class="card-head">
                <h2 id="pipeline-heading">{"Pipeline"}</h2>
                <div class="pipeline-badges">
                    if let Some((open, text)) = &view.window {
                        <span id="window-badge" class={classes!("badge", if *open { "badge-ok" } else { "badge-danger" })} title={text.clone()}>
                            { if *open { "Deployment window open" } else { "Deployment window closed" } }
                        </span>
                    }
                    if let Some(conclusion) = view.conclusion {
                        <span id="run-conclusion" class={classes!("badge", format!("job-{conclusion}"))}>{ format!("Run {conclusion}") }</span>
                    }
                </div>
            </div>
            <p id="pipeline-title" class="phase-message">{ &view.title }</p>
            if let Some(note) = &view.queue_note {
                <p id="queue-note" class="banner banner-info">{ note }</p>
            }
            if let Some(flag) = &view.override_flag {
                <p id="override-flag" class="banner banner-danger">{ flag }</p>
            }
            <ol id="job-graph" class="job-graph" aria-label="Jobs of the run, stage by stage">
                { for (0..view.columns).map(|stage| html! {
                    <li class="stage">
                        <span class="stage-number" aria-hidden="true">{ stage + 1 }</span>
                        <ul class="stage-jobs">
                            { for view.jobs.iter().filter(|job| job.column == stage).map(|job| html! {
                                <li class={classes!("job", format!("job-{}", job.state))} title={job.note.clone()} data-job={job.id.clone()}>
                                    <span class="job-name">{ &job.name }</span>
                                    <span class="job-state">{ job_state_label(job.state) }</span>
                                    if let Some(environment) = &job.environment { <span class="job-env">{ environment }</span> }
                                    if let Some(url) = &job.url { <span class="job-url" title="The environment's URL from the workflow (not opened by the simulator)">{ url }</span> }
                                    <span class="job-note">{ &job.note }</span>
                                </li>
                            }) }
                        </ul>
                    </li>
                }) }
            </ol>
            if let (Some(request), Some((chosen, approve, reject))) = (&view.review, review_buttons) {
                <div id="review-dialog" class="review-dialog" role="dialog" aria-labelledby="review-heading" aria-describedby="review-reason">
                    <h3 id="review-heading">{ format!("Review deployments: {}", request.environment) }</h3>
                    <p id="review-reason">{ format!("{} ({})", request.reason, request.job) }</p>
                    <div class="review-fields">
                        <label class="stacked">{"Review as"}
                            <select id="review-as" onchange={on_reviewer}>
                                { for request.reviewers.iter().map(|r| html! { <option value={r.clone()} selected={*r == chosen}>{ if *r == request.triggered_by { format!("{r} (triggered the run)") } else { r.clone() } }</option> }) }
                            </select>
                        </label>
                        <label class="stacked grow">{"Comment"}
                            <textarea id="review-comment" rows="2" value={(*comment).clone()} oninput={on_comment} placeholder="What you checked" />
                        </label>
                    </div>
                    <div class="review-buttons">
                        <button id="approve-deployment" class="primary" onclick={approve}>{"Approve and deploy"}</button>
                        <button id="reject-deployment" class="danger" onclick={reject}>{"Reject"}</button>
                    </div>
                </div>
            }
            <div class="pipeline-grid">
                <div class="budget" aria-labelledby="budget-heading">
                    <h3 id="budget-heading">{"Error budget"}</h3>
                    <div class="gauge" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow={budget.remaining_percent.to_string()} aria-label="Error budget left, percent">
                        <div class={classes!("gauge-fill", format!("policy-{}", budget.policy))} style={format!("width: {}%", budget.remaining_percent)}></div>
                    </div>
                    <p><span id="budget-policy" class={classes!("policy", format!("policy-{}", budget.policy))}>{ budget.policy.to_uppercase() }</span>{" "}<span id="budget-text">{ &budget.text }</span></p>
                    <p class="muted">{ budget.actions }</p>
                    if let Some(latency) = &view.latency {
                        <h3 id="latency-heading">{"Latency SLO"}</h3>
                        <div class="gauge" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow={latency.remaining_percent.to_string()} aria-label="Allowance of slow requests left, percent">
                            <div class={classes!("gauge-fill", format!("policy-{}", latency.colour))} style={format!("width: {}%", latency.remaining_percent)}></div>
                        </div>
                        <p><span id="latency-verdict" class={classes!("policy", format!("policy-{}", latency.colour))}>{ if latency.met { "MET" } else { "MISSED" } }</span>{" "}<span id="latency-text">{ &latency.text }</span></p>
                        <p id="latency-spell" class="muted">{ &latency.spell }</p>
                    }
                </div>
                <div class="dora">
                    <h3>{"DORA metrics"}</h3>
                    <table id="dora-table">
                        <tbody>
                            { for view.dora.iter().map(|(name, value, level, unverified)| html! {
                                <tr><th scope="row">{ *name }</th><td>{ value }</td><td class={classes!("level", format!("level-{}", level.to_lowercase()))}>{ *level }{ if *unverified { " (unverified figure)" } else { "" } }</td></tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <div class="slos dora">
                    <h3 id="slo-heading">{"SLOs this run"}</h3>
                    <table id="slo-table" aria-labelledby="slo-heading">
                        <thead><tr><th scope="col">{"Objective"}</th><th scope="col">{"Target"}</th><th scope="col">{"This run"}</th><th scope="col">{"Status"}</th><th scope="col">{"Measured as"}</th></tr></thead>
                        <tbody>
                            { for view.slos.iter().map(|o| html! {
                                <tr>
                                    <th scope="row">{ o.name.replace('_', " ") }</th>
                                    <td class="nowrap">{ &o.target }</td>
                                    <td class="nowrap">{ &o.value }</td>
                                    <td class={classes!("level", if o.pass { "level-elite" } else { "level-low" })}>{ if o.pass { "PASS" } else { "FAIL" } }</td>
                                    <td class="slo-detail">{ &o.detail }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </div>
            if !view.auditor.is_empty() {
                <details id="auditor-report" class="run-form">
                    <summary>{ format!("Auditor's report: {} production deployment{}", view.auditor.len(), if view.auditor.len() == 1 { "" } else { "s" }) }</summary>
                    { for view.auditor.iter().map(|(heading, lines)| html! {
                        <div class="auditor-entry">
                            <p class="auditor-heading">{ heading }</p>
                            <ul>{ for lines.iter().map(|line| html! { <li>{ line }</li> }) }</ul>
                        </div>
                    }) }
                </details>
            }
            if !view.secrets.is_empty() || !view.config.is_empty() {
                <details id="secrets-config" class="run-form">
                    <summary>{"Secrets and configuration"}</summary>
                    <div class="stacked-tables">
                        <table id="secrets-table" class="compact">
                            <caption>{"Secrets (values never shown)"}</caption>
                            <tbody>
                                { for view.secrets.iter().map(|(name, scope, status, environment)| html! {
                                    <tr class={classes!(status.contains("EXPIRED").then_some("row-danger"))}>
                                        <th scope="row">{ name }</th><td>{ scope }</td><td>{ status }</td>
                                        <td><button class="small" onclick={command(Command::RotateSecret { name: name.clone(), environment: environment.clone(), login: "trainee".to_string() })}>{"Rotate"}</button></td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                        <table id="config-table" class="compact">
                            <caption>{"Production configuration (base + overrides)"}</caption>
                            <tbody>
                                { for view.config.iter().map(|(key, value, source)| html! {
                                    <tr><th scope="row">{ key }</th><td>{ value }</td><td class="muted">{ source }</td></tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                </details>
            }
            { props.children.clone() }
            <details id="run-form" class="run-form">
                <summary>{"Run the workflow"}</summary>
                <div class="review-fields">
                    <label class="stacked">{"Branch"}
                        <select id="run-branch" onchange={on_branch}>
                            { for view.branches.iter().chain(std::iter::once(&"feature/login".to_string())).map(|b| html! { <option value={b.clone()} selected={*b == *branch}>{ b }</option> }) }
                        </select>
                    </label>
                    { for view.inputs.iter().map(|(name, description, kind, options, default)| {
                        let value = input_values.get(name).cloned().unwrap_or_else(|| default.clone());
                        let id = format!("input-{name}");
                        html! {
                            <label class="stacked" title={description.clone()}>{ name.clone() }
                                if kind == "choice" {
                                    <select id={id} onchange={on_input(name.clone())}>
                                        { for options.iter().map(|o| html! { <option value={o.clone()} selected={*o == value}>{ o }</option> }) }
                                    </select>
                                } else if kind == "boolean" {
                                    <input id={id} type="checkbox" checked={value == "true"} onchange={on_input(name.clone())} />
                                } else {
                                    <input id={id} type="text" value={value} onchange={on_input(name.clone())} />
                                }
                            </label>
                        }
                    }) }
                    <label class="stacked grow">{ if dispatch_reason { "Reason (the workflow's reason input; an emergency override needs one)" } else { "Emergency reason" } }
                        <input id="emergency-reason" type="text" value={(*reason).clone()} oninput={on_reason} placeholder={if dispatch_reason { "Why this deployment is needed now" } else { "Only for an emergency override: what is broken" }} />
                    </label>
                    <label class="checkbox"><input id="skip-tests" type="checkbox" checked={*skip_tests} onchange={on_skip} />{"Skip tests"}</label>
                </div>
                <div class="review-buttons">
                    <button id="run-workflow" onclick={run_workflow(false)}>{ if event == "push" { "Push to the branch" } else { "Run workflow" } }</button>
                    <button id="run-emergency" class="danger" onclick={run_workflow(true)}>{"Run as emergency override"}</button>
                    if view.can_rerun { <button id="rerun-failed" onclick={command(Command::RerunFailedJobs { run: view.run.unwrap_or(0) })}>{"Re-run failed jobs"}</button> }
                    if view.can_cancel { <button id="cancel-run" onclick={command(Command::CancelWorkflowRun { run: view.run.unwrap_or(0) })}>{"Cancel run"}</button> }
                </div>
            </details>
        </section>
    }
}

fn job_state_label(state: &str) -> &'static str {
    match state {
        "pending" => "Pending",
        "waiting" => "Waiting",
        "in-progress" => "In progress",
        "deploying" => "Deploying",
        "success" => "Success",
        "failure" => "Failure",
        "cancelled" => "Cancelled",
        _ => "Skipped",
    }
}
