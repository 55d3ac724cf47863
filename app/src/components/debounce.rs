//! Acting once typing pauses, rather than on every keystroke.

use leptos::prelude::*;
use std::time::Duration;

/// How long typing must pause before a search or filter runs.
pub const TYPING_PAUSE: Duration = Duration::from_millis(300);

/// Calls `f` after [`TYPING_PAUSE`] unless `call` runs again first, which supersedes it.
#[derive(Clone, Copy)]
pub struct Debounce {
    generation: StoredValue<u64>,
}

impl Default for Debounce {
    fn default() -> Self {
        Self::new()
    }
}

impl Debounce {
    pub fn new() -> Self {
        Self { generation: StoredValue::new(0) }
    }

    pub fn call(&self, f: impl FnOnce() + 'static) {
        self.generation.update_value(|n| *n += 1);
        let this = self.generation.get_value();
        let generation = self.generation;
        let _ = set_timeout(
            move || {
                if generation.get_value() == this {
                    f();
                }
            },
            TYPING_PAUSE,
        );
    }
}
