/**
 * The Delivery Counts panel's host side without VS Code (src/viewModel/countsSource.ts + throttle.ts, which the panel wires as
 * LocalPools 'counts' → CountsSource.onRow → UpdateThrottle → postMessage). A separate bundle so that figure 4 can fall
 * back to LocalPools' own events when this part is missing or changes.
 */
export { CountsSource } from '../src/viewModel/countsSource';
export { UpdateThrottle } from '../src/viewModel/throttle';
export { MAX_UPDATES_PER_SECOND } from '../src/viewModel/panelProtocol';
