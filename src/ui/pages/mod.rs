//! One folder per dashboard area, named as in `server_fns::<area>` and `server::services::<area>`
//! (a list page in `list.rs`, a detail page in `detail.rs`); `home` is the overview and `login`
//! the one page outside the shell. Shared skeletons live in `ui::components`.
pub mod admin;
pub mod api_keys;
pub mod campaigns;
pub mod checkout;
pub mod coupons;
pub mod discounts;
pub mod events;
pub mod experiences;
pub mod home;
pub mod integrations;
pub mod login;
pub mod methods;
pub mod offers;
pub mod prices;
pub mod products;
pub mod signups;
pub mod surfaces;
pub mod versions;
pub mod webhooks;
