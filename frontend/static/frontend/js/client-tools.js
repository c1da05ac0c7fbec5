/**
 * Client tools: functions an agent calls that run in this browser, answered with
 * `client_tool_result`. An agent lists them as tools of kind "client"; the page answers only the
 * names registered here and leaves every other tool to the server.
 */
export const clientTools = {
  /** The browser's IANA time zone, e.g. "Europe/Paris". */
  browser_timezone: () => ({ time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
};
