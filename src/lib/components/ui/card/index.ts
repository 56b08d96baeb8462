import Root from './card.svelte';
import Action from './card-action.svelte';
import Content from './card-content.svelte';
import Description from './card-description.svelte';
import Footer from './card-footer.svelte';
import Header from './card-header.svelte';
import Title from './card-title.svelte';

export {
	Root,
	Action,
	Content,
	Description,
	Footer,
	Header,
	Title,
	Root as Card,
	Action as CardAction,
	Content as CardContent,
	Description as CardDescription,
	Footer as CardFooter,
	Header as CardHeader,
	Title as CardTitle
};
