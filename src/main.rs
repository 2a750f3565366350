//! Mounts the app into the page.

fn main() {
    yew::Renderer::<deploy_dojo::Shell>::new().render();
}
