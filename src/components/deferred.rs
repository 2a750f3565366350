//! Mounts its children one task after it is mounted itself.
//!
//! Opening the workspace creates about 1,900 elements. Created in one task with the lab's start,
//! they made a long task (over 50 ms) that froze the page. The pipeline, the lower panels and the
//! side column are each wrapped in this: each waits for a timer of its own, so each mounts in a
//! task of its own and the browser can paint and answer between them. Later renders pass
//! straight through.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

/// Props of [`Deferred`].
#[derive(Properties, PartialEq)]
pub struct DeferredProps {
    /// What to mount one task later.
    pub children: Html,
}

/// Renders nothing in its first render, then its children from the next task on.
#[component]
pub fn Deferred(props: &DeferredProps) -> Html {
    let ready = use_state(|| false);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            let timeout = Timeout::new(0, move || ready.set(true));
            move || drop(timeout)
        });
    }
    if *ready {
        props.children.clone()
    } else {
        Html::default()
    }
}
