//! Custom hooks: the UI's side effects (timers, keyboard), kept out of the reducer.

mod use_keyboard;
mod use_text_file;
mod use_ticker;

pub use use_keyboard::{SHORTCUTS, action_for_key, use_keyboard};
pub use use_text_file::{download_text, use_text_file, use_text_files};
pub use use_ticker::{use_fast_forward, use_ticker};
