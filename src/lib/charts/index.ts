export type { ChartSpec, TableColumn } from './types';
export { painTrajectory, type PainTrajectoryContext } from './painTrajectory';
