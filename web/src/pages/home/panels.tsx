/** Panels other areas add to the home dashboard (anomaly events, live streams...): each is
 * a component drawn in the dashboard's grid, after the built-in cards. */
import type { ComponentType } from 'react';

export interface HomePanel { key: string; Panel: ComponentType }

export const HOME_PANELS: HomePanel[] = [];
