import { Select as SelectPrimitive } from 'bits-ui';
import Content from './select-content.svelte';
import GroupHeading from './select-group-heading.svelte';
import Item from './select-item.svelte';
import Separator from './select-separator.svelte';
import Trigger from './select-trigger.svelte';

// Root takes `type="single" | "multiple"` and `bind:value`; show the chosen label inside Trigger.
const Root = SelectPrimitive.Root;
const Group = SelectPrimitive.Group;

export {
	Root,
	Content,
	Group,
	GroupHeading,
	Item,
	Separator,
	Trigger,
	Root as Select,
	Content as SelectContent,
	Group as SelectGroup,
	GroupHeading as SelectGroupHeading,
	Item as SelectItem,
	Separator as SelectSeparator,
	Trigger as SelectTrigger
};
