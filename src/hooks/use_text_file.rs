//! Reading a file the user picks, as text, and saving text as a file they download.

use gloo::file::callbacks::FileReader;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// An `onchange` handler for a file input that reads the picked file as text and calls
/// `on_load` with its name and text. The read lives as long as the component.
#[hook]
pub fn use_text_file(on_load: Callback<(String, String)>) -> Callback<Event> {
    use_text_files(Callback::from(move |files: Vec<(String, String)>| {
        if let Some(first) = files.into_iter().next() {
            on_load.emit(first);
        }
    }))
}

/// An `onchange` handler for a file input (with `multiple`) that reads every picked file as
/// text and, once all are read, calls `on_load` with their names and texts in the order picked.
#[hook]
pub fn use_text_files(on_load: Callback<Vec<(String, String)>>) -> Callback<Event> {
    // The reads are cancelled if their handles are dropped, so they are kept until the next pick.
    let reading = use_mut_ref(Vec::<FileReader>::new);
    Callback::from(move |event: Event| {
        let input: HtmlInputElement = event.target_unchecked_into();
        let Some(list) = input.files() else {
            return;
        };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if files.is_empty() {
            return;
        }
        let results = std::rc::Rc::new(std::cell::RefCell::new(vec![None; files.len()]));
        let tasks = files
            .into_iter()
            .enumerate()
            .map(|(index, file)| {
                let name = file.name();
                let results = results.clone();
                let on_load = on_load.clone();
                gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| {
                    let text = text
                        .unwrap_or_else(|error| format!("# the file could not be read: {error}\n"));
                    let mut slots = results.borrow_mut();
                    slots[index] = Some((name, text));
                    if slots.iter().all(Option::is_some) {
                        let all = slots.iter_mut().filter_map(Option::take).collect();
                        drop(slots);
                        on_load.emit(all);
                    }
                })
            })
            .collect();
        *reading.borrow_mut() = tasks;
        // Picking the same files again should load them again.
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
