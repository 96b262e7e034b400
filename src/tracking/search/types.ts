export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** MLflow's LifecycleStage.view_type_to_stages. */
export function stagesFor(viewType: RunViewType): string[] {
  switch (viewType) {
    case 'ACTIVE_ONLY':
      return ['active'];
    case 'DELETED_ONLY':
      return ['deleted'];
    case 'ALL':
      return ['active', 'deleted'];
  }
}
