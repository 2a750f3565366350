//! Reading a file the user picks, as text, and saving text as a file they download.

use gloo::file::callbacks::FileReader;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// An `onchange` handler for a file input that reads the picked file as text and calls
/// `on_load` with its name and text. The read lives as long as the component.
#[hook]
pub fn use_text_file(on_load: Callback<(String, String)>) -> Callback<Event> {
    // The read is cancelled if its handle is dropped, so it is kept until the next pick.
    let reading = use_mut_ref(|| None::<FileReader>);
    Callback::from(move |event: Event| {
        let input: HtmlInputElement = event.target_unchecked_into();
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let name = file.name();
        let on_load = on_load.clone();
        let task =
            gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| {
                let text =
                    text.unwrap_or_else(|error| format!("# the file could not be read: {error}\n"));
                on_load.emit((name, text));
            });
        *reading.borrow_mut() = Some(task);
        // Picking the same file again should load it again.
        input.set_value("");
    })
}

/// Offers `text` as a download called `file_name`.
pub fn download_text(file_name: &str, mime_type: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let blob = gloo::file::Blob::new_with_options(text, Some(mime_type));
    let url = gloo::file::ObjectUrl::from(blob);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|element| element.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The download has started; the URL is revoked when `url` is dropped a moment later.
    gloo::timers::callback::Timeout::new(1_000, move || drop(url)).forget();
}
