//! Mounts the app into the page.

fn main() {
    yew::Renderer::<deploy_dojo::App>::new().render();
}
