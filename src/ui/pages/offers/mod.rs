//! Offers → Offers (`server_fns::offers`): the list and the create form (`list`), an offer's
//! page with edit, archive and the exact `offer` object a workflow receives (`detail`), its
//! performance panel (`stats`), its rates (`rates`) and the form fields both forms share (`fields`). Validity
//! windows are typed in the tenant's time zone.
mod detail;
mod fields;
mod list;
mod rates;
mod stats;

pub use detail::OfferPage;
pub use list::OffersPage;
