//! Pieces every page shares, one file each: the page skeleton (`page_head`, `crumbs`,
//! `loaded`), forms (`field`, `form_panel`, `form_status`, `button_form`, `danger_panel`,
//! `group_table`, `options`), lists (`list_table`, `pager`), the route's parameters (`route`)
//! and text formatting (`format`).
mod button_form;
mod chart;
mod crumbs;
mod danger_panel;
mod field;
mod form_panel;
mod form_status;
mod format;
mod group_table;
mod list_table;
mod loaded;
mod options;
mod page_head;
mod pager;
mod route;

pub use button_form::{ArchiveButton, ButtonForm, FormAction};
pub use chart::{Line, SeriesChart, bars_svg, funnel_svg};
pub use crumbs::Crumbs;
pub use danger_panel::DangerPanel;
pub use field::{Check, Field, FieldError, RowError};
pub use form_panel::FormPanel;
pub use form_status::{FormError, Saved, action_error, action_ok};
pub use format::{short_time, urlencode};
pub use group_table::{GroupTable, RowInput, RowSelect};
pub use list_table::{Col, ListTable, cols};
pub use loaded::{DetailPage, ErrorPanel, Loaded, LoadedView, Loading};
pub use options::{Options, SelectField, choices};
pub use page_head::PageHead;
pub use pager::{Pager, page_href};
pub use route::{path_param, query_param};
