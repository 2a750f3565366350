//! The fleet: every instance, coloured by version, marked by health.

use yew::prelude::*;

use crate::view::workspace::InstanceView;

/// Props of [`FleetView`].
#[derive(Properties, PartialEq)]
pub struct FleetViewProps {
    /// Live instances, oldest first.
    pub instances: Vec<InstanceView>,
    /// CPU saturation of the stable instances, in percent.
    #[prop_or_default]
    pub cpu_percent: Option<u32>,
}

/// A tile per instance. Health is shown by shape and text as well as colour.
#[component]
pub fn FleetView(props: &FleetViewProps) -> Html {
    let count = |state: &str| props.instances.iter().filter(|i| i.state == state).count();
    html! {
        <section class="fleet" aria-labelledby="fleet-heading">
            <div class="card-head">
                <h2 id="fleet-heading">{"Fleet"}</h2>
                <span class="muted">{ format!("{} ready · {} starting · {} draining", count("ready"), count("starting"), count("draining")) }
                    if let Some(cpu) = props.cpu_percent { { format!(" · CPU {cpu} %") } }</span>
            </div>
            <ul class="tiles">
                { for props.instances.iter().map(|instance| {
                    let style = format!("--version-colour: {}", instance.colour);
                    html! {
                        <li class={classes!("tile", format!("tile-{}", instance.state))} style={style}
                            title={format!("{} ({}, {})", instance.name, instance.version, instance.state)}
                            data-version={instance.version.clone()} data-state={instance.state}>
                            <span class="tile-version">{ &instance.version }</span>
                            <span class="tile-state">{ instance.state }</span>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
