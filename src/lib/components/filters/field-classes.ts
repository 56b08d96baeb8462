// The look every filter input shares with the UI kit's Input (same height, border and focus ring).
export const FIELD_CLASS =
	'h-8 w-full min-w-0 rounded-md border border-input bg-background px-2.5 py-1 text-sm shadow-xs outline-none transition-[color,box-shadow] placeholder:text-muted-foreground focus-visible:border-ring focus-visible:ring-2 focus-visible:ring-ring/30';

export const LABEL_CLASS = 'w-24 shrink-0 text-right text-xs text-muted-foreground';
