//! The environments overview: instances, traffic, errors and dependency health per environment.

use yew::prelude::*;

use crate::view::workspace::EnvironmentRow;

/// Props of [`Environments`].
#[derive(Properties, PartialEq)]
pub struct EnvironmentsProps {
    /// One row per environment, in promotion order.
    pub rows: Vec<EnvironmentRow>,
}

/// The environments card.
#[component]
pub fn Environments(props: &EnvironmentsProps) -> Html {
    html! {
        <section class="card environments" aria-labelledby="environments-heading">
            <div class="card-head"><h2 id="environments-heading">{"Environments"}</h2><span class="muted">{"last 60 s"}</span></div>
            <div class="table-scroll">
                <table id="environments-table">
                    <thead><tr>
                        <th scope="col">{"Environment"}</th><th scope="col">{"Instances"}</th><th scope="col">{"req/s"}</th>
                        <th scope="col">{"Errors"}</th><th scope="col">{"p95"}</th><th scope="col">{"Users hit (5 min)"}</th><th scope="col">{"Database"}</th><th scope="col">{"Cache"}</th><th scope="col">{"AI"}</th>
                    </tr></thead>
                    <tbody>
                        { for props.rows.iter().map(|row| html! {
                            <tr data-environment={row.name.clone()} class={classes!(row.unhealthy.then_some("row-danger"))}>
                                <th scope="row">{ &row.name }<span class="muted">{ format!(" · {} svc", row.services) }</span></th>
                                <td>{ format!("{}/{} ready", row.ready, row.instances) }
                                    { for row.trouble.iter().map(|t| html! { <><br/><span class="trouble">{ t }</span></> }) }</td>
                                <td class="number">{ row.requests_per_s }</td>
                                <td class="number">{ &row.error_rate }</td>
                                <td class="number">{ &row.p95 }</td>
                                <td class="number">{ row.users_affected }</td>
                                <td class={classes!((row.database == "down").then_some("trouble"))}>{ &row.database }</td>
                                <td class={classes!((row.cache == "down").then_some("trouble"))}>{ row.cache }</td>
                                <td class={classes!((!row.ai.starts_with("up")).then_some("trouble"))}>{ &row.ai }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
