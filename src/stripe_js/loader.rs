//! Adds the Stripe.js `<script>` to the page on first use. Stripe asks that Stripe.js is always
//! loaded from its own URL (never bundled), so the URL comes from configuration: js.stripe.com,
//! or the offline emulator's stand-in.

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::bindings;

/// Resolves once `window.Stripe` exists; the error says what the admin can do.
pub async fn load(url: &str) -> Result<(), String> {
    if bindings::is_loaded() {
        return Ok(());
    }
    let unavailable = || {
        "The secure payment form could not be loaded. Check your internet connection (or an ad or \
         script blocker), then reload the page."
            .to_owned()
    };
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(unavailable)?;
    let script: web_sys::HtmlScriptElement = document
        .create_element("script")
        .map_err(|_| unavailable())?
        .unchecked_into();
    script.set_src(url);
    let loaded = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    document
        .head()
        .ok_or_else(unavailable)?
        .append_child(&script)
        .map_err(|_| unavailable())?;
    JsFuture::from(loaded).await.map_err(|_| unavailable())?;
    if bindings::is_loaded() {
        Ok(())
    } else {
        Err(unavailable())
    }
}
