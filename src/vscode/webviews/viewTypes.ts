// The panels' view types: their serializers are registered at activation by the main bundle, the
// panels themselves live in dist/panels.js, and both must name them alike.
export const COMPARE_VIEW_TYPE = 'gitopshq.compare';
export const CREATE_RELEASE_VIEW_TYPE = 'gitopshq.createRelease';
export const RELEASE_VIEW_TYPE = 'gitopshq.release';
export const AUDIT_VIEW_TYPE = 'gitopshq.audit';
export const TIMELINE_VIEW_TYPE = 'gitopshq.timeline';
export const DASHBOARD_VIEW_TYPE = 'gitopshq.dashboard';
