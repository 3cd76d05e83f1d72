//! The dashboard's views: the shell (`layout`), the components every page shares
//! (`components`: page skeleton, forms, lists) and one folder per area under `pages`.
pub mod components;
pub mod layout;
pub mod pages;
